"""While a run plays, the loss chart and the gradient heatmap draw on every other paint and
the network diagram and output plot on every paint (paint.js CHART_EVERY); once the run
stops, or a step is taken, every chart shows the newest frame's step."""

from .conftest import LAB

# Per-widget draws since the snapshot, from the page's timing hooks (debug.js widgetTotals).
SNAPSHOT = f"() => ({{ paints: {LAB}.paints, widgets: {LAB}.widgetTotals }})"
WIDGETS = {"network": "NetworkDiagram", "output": "OutputPlot", "loss": "LossChart", "gradients": "GradientHeatmap"}
CHARTS = ("loss", "gradients")

# From now on, note every animation frame the step painted last and whether that paint
# left the charts behind.
NOTE = f"""() => {{
  const seen = window.__seen = [];
  const note = () => {{
    if (window.__seen !== seen) return; // a newer NOTE notes its own
    seen.push([{LAB}.paintedStep, {LAB}.chartsBehind]);
    requestAnimationFrame(note);
  }};
  note();
}}"""
# Pause right after a paint that left the charts resting (in the same task, so that frames
# already received cannot be painted in between), noting from then on.
PAUSE_WHILE_BEHIND = f"""() => new Promise((resolve) => {{
  const check = () => {{
    if (!{LAB}.chartsBehind) {{ requestAnimationFrame(check); return; }}
    document.querySelector('#btn-play').click();
    ({NOTE})();
    resolve();
  }};
  requestAnimationFrame(check);
}})"""
# Whether the newest frame was painted with the charts left resting (frames sent before the
# pause arrived may have drawn them anyway): only then is the catch-up put to the test.
LAST_FRAME_RESTED = f"() => window.__seen.some(([step, behind]) => step === {LAB}.lastFrameStep && behind)"


def draws_per_paint(before: dict, after: dict) -> dict[str, float]:
    paints = after["paints"] - before["paints"]
    counts = {}
    for name, cls in WIDGETS.items():
        counts[name] = (after["widgets"][cls][1] - before["widgets"].get(cls, [0, 0])[1]) / paints
    return counts


def charts_show_the_last_frame(page) -> None:
    steps = " && ".join(f"{LAB}.drawnSteps.{name} === {LAB}.lastFrameStep" for name in (*WIDGETS, *CHARTS))
    # The run's last frame may have come before the pause (still marked playing): the state says where it stopped.
    stopped = (
        f"document.querySelector('#btn-play').dataset.running !== 'true' && {LAB}.lastFrameStep === {LAB}.stateStep"
    )
    page.wait_for_function(f"() => {stopped} && {LAB}.paintedStep === {LAB}.lastFrameStep && {steps}", timeout=5000)


def test_the_slow_charts_draw_every_other_paint_while_playing(open_page):
    page = open_page()
    if page.locator("#join-form").is_visible():
        page.click("#join-form .join-close")
    page.click("#btn-play")
    page.wait_for_function(f"() => {LAB}.lastFrameRunning && {LAB}.paints > 5")
    before = page.evaluate(SNAPSHOT)
    page.wait_for_function(f"() => {LAB}.paints >= {before['paints'] + 40}", timeout=20000)
    after = page.evaluate(SNAPSHOT)
    ratio = draws_per_paint(before, after)
    assert ratio["network"] == 1 and ratio["output"] == 1, ratio
    # About half: a paint that no frame follows within CATCH_UP_MS (a loaded machine) draws them too.
    for name in CHARTS:
        assert 0.45 <= ratio[name] <= 0.7, ratio
    page.click("#btn-play")
    charts_show_the_last_frame(page)


def test_a_paused_run_and_a_step_show_the_newest_frame_in_every_chart(open_page):
    # 5 steps a second: each step is a frame of its own, so a pause sent right after a paint
    # finds no newer step to send, and the run stops on the frame that paint left resting.
    page = open_page("speed=5")
    if page.locator("#join-form").is_visible():
        page.click("#join-form .join-close")
    page.click("#btn-play")
    page.wait_for_function(f"() => {LAB}.lastFrameRunning && {LAB}.paintedStep >= 2")
    for _ in range(5):
        page.evaluate(PAUSE_WHILE_BEHIND)
        charts_show_the_last_frame(page)
        if page.evaluate(LAST_FRAME_RESTED):
            break
        step = page.evaluate(f"{LAB}.lastFrameStep")
        page.click("#btn-play")
        page.wait_for_function(f"() => {LAB}.lastFrameRunning && {LAB}.paintedStep > {step}")
    else:
        raise AssertionError("no pause stopped on a frame whose paint left the charts resting")

    # A single step's frame draws every chart on its own paint.
    step = page.evaluate(f"{LAB}.lastFrameStep")
    page.evaluate(NOTE)
    page.click("#btn-step")
    page.wait_for_function(f"() => {LAB}.lastFrameStep === {step + 1}")
    charts_show_the_last_frame(page)
    assert not page.evaluate(LAST_FRAME_RESTED)
