"""While a run plays, a frame's warnings and health headline are computed again once
DIAGNOSE_EVERY steps and DIAGNOSE_SECONDS have passed (frames.py); a frame of a run that is
not playing (a pause, a single step, a divergence) carries those of its own step."""

from server import frames
from server.frames import DIAGNOSE_EVERY, DIAGNOSE_SECONDS
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


def test_playing_frames_reuse_the_diagnosis_for_a_few_steps_and_a_moment_only(monkeypatch):
    s = session(activation="sigmoid", hidden=[8, 8, 8, 8])
    s.running = True
    clock = [frames.monotonic()]  # the session's first frame was diagnosed on the real clock
    monkeypatch.setattr(frames, "monotonic", lambda: clock[0])
    seen = []
    for i in range(60):  # 40 frames at 20 a moment (a fast run), then 20 far apart (a slow one)
        clock[0] += DIAGNOSE_SECONDS / 20 if i < 40 else 1.0
        s.step()
        s.publish()
        seen.append((s.frame.header["step"], s.frame.diagnosed["step"]))
    fast, slow = seen[:40], seen[40:]
    assert all(0 <= step - at <= 20 for step, at in fast), fast
    assert max(step - at for step, at in fast) >= DIAGNOSE_EVERY, "a fast run's warnings wait for the moment"
    assert len({at for _, at in fast}) <= 3, f"computed too often: {fast}"
    assert all(0 <= step - at < DIAGNOSE_EVERY for step, at in slow), slow
    assert len({at for _, at in slow}) <= 20 // DIAGNOSE_EVERY + 1, f"computed too often: {slow}"
    s.running = False
    s.publish()
    assert s.frame.diagnosed["step"] == s.frame.header["step"] == 60
    assert s.frame.header["warnings"] == s.runs[0].warnings()
    assert s.frame.header["health"] == s.runs[0].health()
