"""While a run plays, the loss chart and the gradient heatmap draw on every other paint and
the network diagram and output plot on every paint (paint.js CHART_EVERY); once the run
stops, or a step is taken, every chart shows the newest frame's step."""

from .conftest import LAB

# Per-widget draws since the snapshot, from the page's timing hooks (debug.js widgetTotals).
SNAPSHOT = f"() => ({{ paints: {LAB}.paints, widgets: {LAB}.widgetTotals }})"
WIDGETS = {"network": "NetworkDiagram", "output": "OutputPlot", "loss": "LossChart", "gradients": "GradientHeatmap"}
CHARTS = ("loss", "gradients")

# Pause right after a paint that left the charts resting (in the same task, so that frames
# already received cannot be painted in between): the charts then show an older frame
# until the painter catches them up.
PAUSE_WHILE_BEHIND = f"""() => new Promise((resolve) => {{
  const check = () => {{
    if ({LAB}.chartsBehind) {{ document.querySelector('#btn-play').click(); resolve(); }}
    else requestAnimationFrame(check);
  }};
  requestAnimationFrame(check);
}})"""


def draws_per_paint(before: dict, after: dict) -> dict[str, float]:
    paints = after["paints"] - before["paints"]
    counts = {}
    for name, cls in WIDGETS.items():
        counts[name] = (after["widgets"][cls][1] - before["widgets"].get(cls, [0, 0])[1]) / paints
    return counts


def charts_show_the_last_frame(page) -> None:
    steps = " && ".join(f"{LAB}.drawnSteps.{name} === {LAB}.lastFrameStep" for name in (*WIDGETS, *CHARTS))
    # The run's last frame may have come before the pause (still marked playing): the state says where it stopped.
    stopped = f"document.querySelector('#btn-play').dataset.running !== 'true' && {LAB}.lastFrameStep === {LAB}.stateStep"
    page.wait_for_function(f"() => {stopped} && {LAB}.paintedStep === {LAB}.lastFrameStep && {steps}", timeout=5000)


def test_the_slow_charts_draw_every_other_paint_while_playing_and_catch_up_when_paused(open_page):
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

    page.evaluate(PAUSE_WHILE_BEHIND)
    charts_show_the_last_frame(page)

    # A single step's frame draws every chart at once.
    step = page.evaluate(f"{LAB}.lastFrameStep")
    page.click("#btn-step")
    page.wait_for_function(f"() => {LAB}.lastFrameStep === {step + 1}")
    charts_show_the_last_frame(page)
