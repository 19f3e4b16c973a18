"""Two real instances behind a real nginx running docs/nginx/backprop-lab.conf (README,
"Serving a whole school"): a presenter and the students of one session meet on one
instance, and sessions spread over both. Skipped without nginx, except under CI."""

import urllib.request

import pytest

from tests.school import Client, holders, issue, run_school, token_for


@pytest.fixture(scope="module")
def school():
    with run_school() as s:
        yield s


def test_the_page_and_its_modules_come_through_nginx(school):
    with urllib.request.urlopen(school.url, timeout=10) as r:
        assert "Backprop Lab" in r.read().decode()
    with urllib.request.urlopen(school.url + "static/js/join.js", timeout=10) as r:
        assert "issueSession" in r.read().decode()


def test_a_presenter_and_students_share_one_session_on_one_instance(school):
    sid, token = issue(school)  # asked for the way the page asks, from whichever instance nginx picks
    presenter = Client(f"{school.ws}?session={sid}")
    hello = presenter.join(sid, token)
    assert hello["session"] == sid and hello["role"] == "controller"
    students = [Client(f"{school.ws}?session={sid}") for _ in range(4)]
    for s in students:
        reply = s.join(sid, watch=True)
        assert reply.get("role") == "viewer", f"a student reached an instance without the session: {reply}"
    presenter.send(type="step", n=5)
    for s in students:
        assert s.until(lambda m: m.get("kind") == "frame" and m["step"] == 5)["step"] == 5
    assert len(holders(school, sid)) == 1
    presenter.close()
    again = Client(f"{school.ws}?session={sid}")  # the presenter's page reloaded
    assert again.join(sid, hello["token"])["role"] == "controller"
    for c in (again, *students):
        c.close()


def test_sessions_spread_over_both_instances_and_each_is_found_where_it_was_made(school):
    # Fixed ids: where nginx's hash sends each is then the same on every run.
    sids = [f"spread{i:02d}" for i in range(16)]
    for sid in sids:
        maker = Client(f"{school.ws}?session={sid}")
        assert maker.join(sid, token_for(sid))["session"] == sid
        student = Client(f"{school.ws}?session={sid}")
        reply = student.join(sid, watch=True)
        assert reply["type"] == "hello", f"a student of {sid} reached an instance without it: {reply}"
        maker.close()
        student.close()
    where = {sid: holders(school, sid) for sid in sids}
    assert all(len(ports) == 1 for ports in where.values()), where
    assert {ports[0] for ports in where.values()} == set(school.instances), where


def test_when_an_instance_stops_its_presenter_and_students_meet_again_on_another():
    with run_school() as school:
        sid, token = issue(school)
        presenter = Client(f"{school.ws}?session={sid}")
        hello = presenter.join(sid, token)
        [held_by] = holders(school, sid)
        presenter.close()
        school.stop(held_by)
        # The pages reconnect: nginx passes the id to the instance still running.
        again = Client(f"{school.ws}?session={sid}")
        assert again.join(sid, hello["token"])["role"] == "controller"
        student = Client(f"{school.ws}?session={sid}")
        assert student.join(sid, watch=True).get("role") == "viewer"
        [live] = set(school.instances) - {held_by}
        assert holders(school, sid, among=[live]) == [live]
        again.close()
        student.close()
