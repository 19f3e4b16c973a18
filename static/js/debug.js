// window.backpropLab: read-only facts for the browser tests and benchmarks/page_draw.py.

export function installDebugApi(page) {
  const paint = () => page.painter.stats;
  const codes = (frame) => (frame ? (frame.warnings || []).map((w) => w.code) : []);
  Object.defineProperty(window, 'backpropLab', {
    value: Object.freeze({
      get lastFrameStep() { return page.frame ? page.frame.step : null; },
      get lastFrameRunning() { return !!(page.frame && page.frame.running); },
      // The step of the frame the last paint drew (the stats' text may lag it while playing).
      get paintedStep() { return paint().step; },
      // The step of the last `state` message (a pause says where it stopped).
      get stateStep() { return page.state.step; },
      get config() { return { ...page.state.config }; },
      get role() { return page.state.role; },
      get session() { return page.state.session; },
      // Warning codes of the newest frame, per run.
      get warnings() { return codes(page.frame); },
      get warningsB() { return codes(page.frame && page.frame.b); },
      get compare() { return page.compareView.current ? { ...page.compareView.current } : null; },
      get presets() { return page.experiments.presets.map((p) => ({ ...p })); },
      get experiment() { return page.experiments.current; },
      get drawMs() { return paint().drawMs; },
      get maxDrawMs() { return paint().maxDrawMs; },
      get paints() { return paint().paints; },
      // The step each widget-table row (main.js names) last drew, and whether the last paint
      // left the slow charts on an older frame (paint.js CHART_EVERY).
      get drawnSteps() { return { ...paint().drawnSteps }; },
      get chartsBehind() { return page.painter.charts.behind; },
      get widgetMs() { return { ...paint().widgetMs }; },
      get widgetMaxMs() { return { ...paint().widgetMaxMs }; },
      // Means over every paint so far (the max is often the first paint, fonts and all).
      get meanDrawMs() { return paint().paints ? paint().totalDrawMs / paint().paints : 0; },
      // Per widget [total ms, paints] so far: a benchmark takes the difference over its window.
      get widgetTotals() {
        const s = paint();
        return Object.fromEntries(Object.entries(s.widgetTotalMs).map(([k, v]) => [k, [v, s.widgetPaints[k]]]));
      },
      get widgetMeanMs() {
        const s = paint();
        return Object.fromEntries(Object.entries(s.widgetTotalMs).map(([k, v]) => [k, v / s.widgetPaints[k]]));
      },
      // What the diagram shows: each column's activation in the last drawn frame (input: null).
      get columnActivations() {
        const network = page.widget('network');
        return network.frame ? network.frame.columns.map((c) => c.activation ?? null) : null;
      },
      // Explain a step: client coordinates of the diagram's link of W[a, b] in weight layer `layer`,
      // and of the output plot's training point t (for clicks).
      linkPoint(layer, a, b) { return page.widget('network').linkPoint(layer, a, b); },
      // Both null until drawn at the canvas's present size.
      // Client coordinates of training point t in the 1D curve plot, once drawn (else null).
      curvePoint(t) {
        const plot = page.widget('curve');
        if (!plot.map || !plot.dataset) return null;
        const rect = plot.canvas.getBoundingClientRect();
        const p = plot.pointAt(t);
        return { x: rect.left + p.x, y: rect.top + p.y };
      },
      trainPoint(t) {
        const plot = page.widget('output');
        const rect = plot.canvas.getBoundingClientRect();
        const g = plot.geometry;
        if (!g || g.w !== Math.round(rect.width) || g.h !== Math.round(rect.height)) return null;
        const p = plot.pointAt(t);
        return { x: rect.left + p.x, y: rect.top + p.y };
      },
      // The dataset message as received: its header's sizes and every point, [x1, x2, label] (a line: [x, y]).
      get dataset() {
        const d = page.dataset;
        if (!d) return null;
        const rows = (part) => Array.from({ length: part.n }, (_, i) => (d.inputs === 'line'
          ? [part.x[i], part.y[i]] : [part.x[2 * i], part.x[2 * i + 1], part.y[i]]));
        return { problem: d.problem, classes: d.classes, nTrain: d.nTrain, nTest: d.nTest, train: rows(d.train), test: rows(d.test) };
      },
      // Client coordinates of the plane's point (x1, x2) in the output plot, once drawn (else null).
      planeAt(x1, x2) {
        const plot = page.widget('output');
        const g = plot.geometry;
        if (!g) return null;
        const rect = plot.canvas.getBoundingClientRect();
        const [xmin, xmax, ymin, ymax] = g.extent;
        return { x: rect.left + g.ox + ((x1 - xmin) / (xmax - xmin)) * g.size, y: rect.top + g.oy + ((ymax - x2) / (ymax - ymin)) * g.size };
      },
      // Explain a step: the newest explanation message the page shows (null when off).
      get explanation() { return page.explain.m; },
      // A recurrent run as drawn: the frame's model and radius, what the unrolled net drew
      // ({columns, steps, T, thinned}) and the time heatmap's rows ({rows, T, lastStep}).
      get recurrent() {
        const f = page.frame;
        return {
          model: f ? f.model : null, radius: f && f.sequence ? f.sequence.radius : null, length: f && f.sequence ? f.sequence.length : null,
          unrolled: page.widget('unrolled').drawn, timeHeat: page.widget('timeHeat').drawn, timeHeatB: page.widget('timeHeatB').drawn,
        };
      },
      // Each shown heatmap's title row as last drawn: where its text ends and its headline starts.
      get titleRows() {
        return ['gradients', 'gradientsB', 'timeHeat', 'timeHeatB'].map((name) => {
          const w = page.widget(name);
          const row = name.startsWith('time') ? w.drawn && w.drawn.title : w.titleRow;
          return { name, shown: w.canvas.offsetParent !== null, ...row };
        }).filter((r) => r.shown && r.headline);
      },
      // Client coordinates of hidden unit k at time step t in the unrolled net, once drawn (else null).
      unrolledPoint(t, k) {
        const net = page.widget('unrolled');
        const col = net.layout && net.layout.cols.find((c) => c.t === t);
        const rect = net.canvas.getBoundingClientRect();
        if (!col || !drawnAtSize(net.canvas, rect)) return null;
        return { x: rect.left + col.x, y: rect.top + net.layout.h.ys[k] };
      },
      // Client coordinates of a point on the h→h link of W_h[a, b] into time step t, `along` of the
      // way from h_{t−1} (for a click); null when that column or its predecessor is not drawn.
      unrolledLinkPoint(t, a, b, along = 0.15) {
        const net = page.widget('unrolled');
        const L = net.layout;
        const c = L ? L.cols.findIndex((col) => col.t === t) : -1;
        const rect = net.canvas.getBoundingClientRect();
        if (c < 1 || L.cols[c - 1].t !== t - 1 || !drawnAtSize(net.canvas, rect)) return null;
        const x0 = L.cols[c - 1].x + L.h.s / 2;
        const x1 = L.cols[c].x - L.h.s / 2;
        const y0 = L.h.ys[a];
        const y1 = L.h.ys[b % L.h.ys.length];
        return { x: rect.left + x0 + (x1 - x0) * along, y: rect.top + y0 + (y1 - y0) * along };
      },
      // The learning rate of every step the loss chart holds: {first, values, steps} (older steps thinned).
      get learningRates() {
        const s = page.history.a.learningRate;
        return { first: s.base, values: Array.from(s.values.subarray(0, s.length)), steps: Array.from(s.steps.subarray(0, s.length)) };
      },
    }),
  });
}

// Whether the canvas was last drawn at its present CSS size: just after a layout change
// (explain mode's panel opening) the widget's geometry is the old size's until it redraws.
function drawnAtSize(canvas, rect) {
  const dpr = window.devicePixelRatio || 1;
  return canvas.width === Math.round(Math.round(rect.width) * dpr) && canvas.height === Math.round(Math.round(rect.height) * dpr);
}
