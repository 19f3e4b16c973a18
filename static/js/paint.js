// The paint loop: at most one paint per animation frame, of the newest frame only,
// drawing what the widget table (main.js) says for the visible view and tab.
// paintList is pure (tested under Node); the Painter times every widget for
// window.backpropLab (benchmarks/page_draw.py reads it).

/**
 * The widgets to draw and the run each draws: entries whose `view` (output panel)
 * and `tab` (gradient-health panel) are the visible ones; run "b" only while a
 * comparison runs; run "detail" resolves to the run the A/B toggle picks; entries with a
 * `model` (feedforward | recurrent | cnn, or a list of them) only for frames of that model.
 */
export function paintList(entries, { view, tab, compare, netRun, model = 'feedforward' }) {
  const detail = compare && netRun === 'b' ? 'b' : 'a';
  const list = [];
  for (const e of entries) {
    if (e.model && ![].concat(e.model).includes(model)) continue;
    if (e.view && e.view !== view) continue;
    if (e.tab && e.tab !== tab) continue;
    if (e.run === 'b' && !compare) continue;
    list.push({ entry: e, run: e.run === 'detail' ? detail : e.run });
  }
  return list;
}

/** The output panel's views, from the table; an unknown one shows the first (plane). */
export function viewOf(entries, inputs) {
  const views = [...new Set(entries.map((e) => e.view).filter(Boolean))];
  return views.includes(inputs) ? inputs : views[0];
}

// Benchmarks only (page_draw.py): raster: rasterize each widget's canvases right after
// its update, so its time counts the pixels too and not only the drawing calls (software
// canvases are otherwise rasterized later, in one lump, at the compositor commit); skip:
// names of widget-table rows left undrawn, to measure what drawing them costs the main
// thread in full (script, raster, commit) against the same page without them.
export const timing = { raster: false, skip: new Set() };

function rasterize(container) {
  for (const c of container ? container.querySelectorAll('canvas') : []) {
    if (c.width && c.height) c.getContext('2d').getImageData(0, 0, 1, 1);
  }
}

export class Painter {
  /** before(frame): layout that must precede drawing (it changes the boxes canvases fit). */
  constructor(page, before) {
    this.page = page;
    this.before = before;
    this.dirty = false;
    this.view = null;
    this.stats = { step: null, drawMs: 0, maxDrawMs: 0, paints: 0, totalDrawMs: 0, widgetMs: {}, widgetMaxMs: {}, widgetTotalMs: {}, widgetPaints: {} };
    const resizes = new ResizeObserver(() => this.schedule());
    for (const box of page.$$('.canvas-box')) resizes.observe(box);
  }

  schedule() {
    if (this.dirty) return;
    this.dirty = true;
    requestAnimationFrame(() => {
      this.dirty = false;
      this.paint();
    });
  }

  paint() {
    const { page } = this;
    const frame = page.frame;
    if (!frame || page.halted) return;
    const t0 = performance.now();
    this.showView(viewOf(page.widgets, frame.inputs || (page.dataset && page.dataset.inputs)));
    // The network and gradient-health boxes of the other model hide (CSS on data-model).
    if (page.root.body.dataset.model !== frame.model) page.root.body.dataset.model = frame.model;
    // A recurrent run has the time heatmap only: the per-layer tabs hide (CSS) and give way to it.
    if (frame.model === 'recurrent' && page.state.view.tab !== 'heatmap') page.state.setView({ tab: 'heatmap' });
    this.before(frame);
    const { tab, netRun } = page.state.view;
    const model = frame.model;
    for (const { entry, run } of paintList(page.widgets, { view: this.view, tab, compare: !!frame.b, netRun, model })) {
      if (timing.skip.has(entry.name)) continue;
      const w = entry.widget;
      if (entry.run === 'detail' && 'history' in w) w.history = page.history[run];
      const t = performance.now();
      w.update(run === 'b' ? frame.b : frame);
      if (timing.raster) rasterize(page.$(entry.el));
      this.time(w.constructor.name + (run === 'b' ? 'B' : ''), performance.now() - t);
    }
    const s = this.stats;
    s.drawMs = performance.now() - t0;
    s.maxDrawMs = Math.max(s.maxDrawMs, s.drawMs);
    s.totalDrawMs += s.drawMs;
    s.paints += 1;
    s.step = frame.step;
  }

  time(name, ms) {
    const s = this.stats;
    s.widgetMs[name] = ms;
    s.widgetMaxMs[name] = Math.max(ms, s.widgetMaxMs[name] || 0);
    s.widgetTotalMs[name] = (s.widgetTotalMs[name] || 0) + ms;
    s.widgetPaints[name] = (s.widgetPaints[name] || 0) + 1;
  }

  /** Switch the output panel (and the page layout) between plane, line and image data. */
  showView(name) {
    if (name === this.view) return;
    this.view = name;
    const { page } = this;
    page.root.body.dataset.view = name;
    // Run B's boxes carry data-b-view, so `#output [data-view=…]` names run A's alone.
    for (const box of page.$$('#output .output-view')) box.hidden = (box.dataset.view || box.dataset.bView) !== name;
    page.$('#show-test-label').hidden = name === 'image'; // the gallery is test images already
  }
}
