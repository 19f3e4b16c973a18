"""While a run plays, a frame's warnings and health headline are computed at most every
DIAGNOSE_EVERY steps (frames.py); a frame of a run that is not playing (a pause, a
single step, a divergence) carries those of its own step."""

from server.frames import DIAGNOSE_EVERY
from server.schema import defaults, make_fields
from server.session import Session
from server.settings import Settings


class _Sink:
    def offer(self, frame: object) -> None:
        pass


def session(**config) -> Session:
    settings = Settings()
    fields = make_fields(settings.limits)
    s = Session("diagnose", {**defaults(fields), **config}, settings, fields)
    s.connections.append(_Sink())  # type: ignore[arg-type]  # frames are built only for a watcher
    return s


def test_playing_frames_reuse_the_diagnosis_for_a_few_steps_only():
    s = session(activation="sigmoid", hidden=[8, 8, 8, 8])
    s.running = True
    seen = []
    for _ in range(38):  # not a multiple of DIAGNOSE_EVERY: the last frame is not one that computes
        s.step()
        s.publish()
        seen.append((s.frame.header["step"], s.frame.diagnosed["step"]))
    assert all(0 <= step - at < DIAGNOSE_EVERY for step, at in seen), seen
    computed = {at for _, at in seen}
    assert len(computed) <= 38 // 4, f"computed too often: at steps {sorted(computed)}"
    s.running = False
    s.publish()
    assert s.frame.diagnosed["step"] == s.frame.header["step"] == 38
    assert s.frame.header["warnings"] == s.runs[0].warnings()
    assert s.frame.header["health"] == s.runs[0].health()
