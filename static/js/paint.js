// The paint loop: at most one paint per animation frame, of the newest frame only,
// drawing what the widget table (main.js) says for the visible view and tab.
// paintList and ChartPacer are pure (tested under Node); the Painter times every widget
// for window.backpropLab (benchmarks/page_draw.py reads it).

// While a run plays, the loss chart and the gradient heatmaps draw on every CHART_EVERY-th
// paint only, about 15 times a second instead of 30: a step moves them by a pixel or one
// column, and each costs about 1 ms of the 8 ms of main thread a paint may take (issue 11).
// The network diagram and the output plot draw every paint. Only a playing frame's own
// paint lets them rest: a frame that is not playing (a single step, the last frame, a
// scrub) and a paint for anything else (a resize, a view or tab change) draw everything,
// and charts left resting are drawn with the newest frame when the run stops, when an
// export pictures them (Painter.settle) or when no paint follows within CATCH_UP_MS.
export const CHART_EVERY = 2;
export const RESTING = new Set(['loss', 'gradients', 'gradientsB']); // widget-table names (main.js)
export const CATCH_UP_MS = 100;

/** Which paints draw the RESTING charts: all but a playing frame's, and every CHART_EVERY-th of those. */
export class ChartPacer {
  constructor(every = CHART_EVERY) {
    this.every = every;
    this.rested = 0; // playing paints since the charts last drew
    this.behind = false; // the last paint left them on an older frame
  }

  /** For one paint: whether it draws the resting charts. live: a playing frame's own paint. */
  due(live) {
    const due = !live || this.rested + 1 >= this.every;
    this.rested = due ? 0 : this.rested + 1;
    this.behind = !due;
    return due;
  }
}

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
    this.all = true; // the next paint draws every widget (it is not only for a new frame)
    this.charts = new ChartPacer();
    this.catchUp = null;
    // A pause stops the frames: charts left resting catch up at once.
    page.state.on('run', (s) => { if (!s.running && this.charts.behind) this.schedule(); });
    this.stats = { step: null, drawnSteps: {}, drawMs: 0, maxDrawMs: 0, paints: 0, totalDrawMs: 0, widgetMs: {}, widgetMaxMs: {}, widgetTotalMs: {}, widgetPaints: {} };
    const resizes = new ResizeObserver(() => this.schedule());
    for (const box of page.$$('.canvas-box')) resizes.observe(box);
  }

  /** A paint of everything (a resize, a view change, a dataset): nothing rests. */
  schedule() {
    this.all = true;
    this.frameArrived();
  }

  /** A paint for a new frame: if it is playing, the RESTING charts may wait for the next one. */
  frameArrived() {
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
    const charts = this.charts.due(!this.all && !!frame.running && !frame.replay);
    this.all = false;
    clearTimeout(this.catchUp);
    if (!charts) this.catchUp = setTimeout(() => this.schedule(), CATCH_UP_MS);
    for (const { entry, run } of paintList(page.widgets, { view: this.view, tab, compare: !!frame.b, netRun, model })) {
      if (timing.skip.has(entry.name) || (!charts && RESTING.has(entry.name))) continue;
      const w = entry.widget;
      if (entry.run === 'detail' && 'history' in w) w.history = page.history[run];
      const t = performance.now();
      w.update(run === 'b' ? frame.b : frame);
      if (timing.raster) rasterize(page.$(entry.el));
      this.time(w.constructor.name + (run === 'b' ? 'B' : ''), performance.now() - t);
      this.stats.drawnSteps[entry.name] = frame.step;
    }
    const s = this.stats;
    s.drawMs = performance.now() - t0;
    s.maxDrawMs = Math.max(s.maxDrawMs, s.drawMs);
    s.totalDrawMs += s.drawMs;
    s.paints += 1;
    s.step = frame.step;
  }

  /** Draw now whatever rests (an export pictures what the newest frame shows). */
  settle() {
    if (this.charts.behind) {
      this.all = true;
      this.paint();
    }
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
