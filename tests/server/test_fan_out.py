"""What a room of followers shares: a control message is encoded once for every
connection, and a frame's catch-up (the history a connection lacks after missing
frames) once per distinct gap, each equal to what that connection alone would get."""

from server import session as session_module
from server.frames import Frame
from server.protocol import decode
from server.schema import defaults, make_fields
from server.session import Session
from server.settings import Settings


class Follower:
    """A connection as the session sees it: what it was sent."""

    def __init__(self):
        self.texts, self.frames = [], []

    def send_text(self, text):
        self.texts.append(text)

    def send(self, message):
        raise AssertionError("a broadcast should hand over text encoded once")

    def offer(self, frame):
        self.frames.append(frame)


def make_session():
    settings = Settings()
    fields = make_fields(settings.limits)
    return Session("fanout01", defaults(fields), settings, fields)


def test_a_broadcast_is_encoded_once_for_the_whole_room(monkeypatch):
    session = make_session()
    room = [Follower() for _ in range(30)]
    session.connections.extend(room)
    calls = []
    real = session_module.dumps
    monkeypatch.setattr(session_module, "dumps", lambda m: calls.append(m) or real(m))
    session._broadcast_state()
    assert len(calls) == 1
    assert all(f.texts == room[0].texts for f in room) and '"type":"state"' in room[0].texts[0]


def test_followers_that_missed_the_same_frames_share_one_catch_up():
    session = make_session()
    session.connections.append(Follower())
    for _ in range(12):
        session.step()
    session.publish()
    frame: Frame = session.frame
    first = frame.encode_for(frame.run, 5)
    assert frame.encode_for(frame.run, 5) is first  # the same bytes, not encoded again
    other = frame.encode_for(frame.run, 8)
    assert other is not first
    for start, payload in ((5, first), (8, other)):
        header, arrays = decode(payload)
        assert header["history"] == {"first": start, "count": frame.last - start + 1}
        assert payload == frame._encode(start)  # what it alone would have been sent
