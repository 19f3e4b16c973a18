"""A live change while training shows at once, whatever the phase of the frame cadence it
falls in (a presenter's room sees a slider's effect one slice of training later, not half
a frame later), and changes a click apart keep the frame rate under its cap."""

from server import pacer

from .test_pacing import FRAME, Student, clock, live_changes  # noqa: F401 (clock: the simulated clock's fixture)


def test_a_live_change_shows_after_one_slice_in_any_phase(clock):  # noqa: F811
    student = Student(clock, speed=0)  # full speed: the presenter's benchmark
    # 37 ms apart: each falls 4 ms later in the 33 ms cadence than the one before, every phase.
    changes = [clock.now + 2.0 + 0.037 * i for i in range(90)]
    shown_at = live_changes(clock, student, changes, poke=True)
    waits = [next(t for t in shown_at if t >= c) - c for c in changes]
    # The slice under way when it came, one more that shows it at work, and the frame: never half a period (17 ms).
    assert max(waits) <= 2 * 0.005 + FRAME, f"slowest change shown after {1000 * max(waits):.1f} ms"
    per_second = max(sum(1 for t in shown_at if a <= t < a + 1) for a in shown_at)
    assert per_second <= 30 * (1 + pacer.EARLY_EXTRA) + 1, per_second
