"""While a run plays, the panels' texts (the numbers beside the loss, the step counter, the
timeline's label) change together, in one task per TEXT_PERIOD_MS tick (domwrites.js Paced
and its shared timer), so that Chromium lays the page out once per tick, not once per panel."""

from .conftest import pause

# Per task (a MutationObserver's callback follows each task that changed the DOM): which of
# the watched texts changed in it.
WATCH = """() => {
  window.__batches = [];
  const watched = { step: '#stat-step', loss: '#stat-train-loss', timeline: '#timeline .timeline-label' };
  const which = new Map(Object.entries(watched).map(([k, sel]) => [document.querySelector(sel), k]));
  new MutationObserver((records) => {
    const changed = new Set();
    for (const r of records) {
      const el = r.target.nodeType === 3 ? r.target.parentElement : r.target;
      if (which.has(el)) changed.add(which.get(el));
    }
    if (changed.size) window.__batches.push([...changed].sort());
  }).observe(document.body, { subtree: true, characterData: true, childList: true });
}"""


def test_the_panels_texts_change_together_while_playing(open_page):
    page = open_page()
    if page.locator("#join-form").is_visible():
        page.click("#join-form .join-close")
    page.click("#btn-play")
    page.wait_for_function("() => window.backpropLab.lastFrameStep > 0")
    page.evaluate(WATCH)
    page.wait_for_function("() => window.__batches.length >= 8", timeout=15000)
    batches = page.evaluate("window.__batches")
    pause(page)
    # The loss may keep its four digits from one tick to the next; the step and the label move.
    assert all({"step", "timeline"} <= set(b) for b in batches), batches
