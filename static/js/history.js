// Per-step scalars merged from every frame received (not only the drawn one),
// so the charts never miss a step even when frames arrive faster than paints.
// Which per-layer measures there are, and how many percentiles a band holds, come
// from hello.diagnostics (setHello); until then only the loss series fill.

import { camel } from './protocol.js';
import { describedDiagnostics } from './diagnostics.js';

const BLOCK = 256; // min/max summaries per block keep long runs cheap to draw
const LAYER_WINDOW = 300; // steps of per-layer measures kept: the gradient heatmap's width
const BAND_WINDOW = 300; // frames of percentile bands kept: the distributions' width

/**
 * A growable series of float values, each at its step (ascending), with per-block min/max.
 * The steps come from the server (history.step): the recent ones one by one, the older ones
 * thinned (docs/protocol.md), so a run of any length is the same few thousand values.
 */
export class Series {
  constructor() {
    this.clear();
  }

  clear() {
    this.length = 0;
    this.steps = new Float64Array(4096);
    this.values = new Float32Array(4096);
    this.blockMin = new Float32Array(64);
    this.blockMax = new Float32Array(64);
    this.blocks = 0; // complete blocks summarised
  }

  get base() { return this.length ? this.steps[0] : 0; } // the first step held (0 when empty)

  get end() { return this.length ? this.steps[this.length - 1] + 1 : 0; } // one past the last step held

  /** The index of the first value at or after `step`. */
  indexOf(step) {
    let [lo, hi] = [0, this.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.steps[mid] < step) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Values for steps first..first+n-1, or steps[k] each when given (a thinned older part
   *  skips steps, with no hole), truncating anything from the first of them on. */
  write(first, data, steps = null) {
    const n = data.length;
    const at = this.indexOf(steps && n ? steps[0] : first);
    this.length = at;
    this.blocks = Math.min(this.blocks, Math.floor(at / BLOCK));
    this.ensure(at + n);
    this.values.set(data, at);
    for (let k = 0; k < n; k++) this.steps[at + k] = steps ? steps[k] : first + k;
    this.length = at + n;
    this.summarise();
  }

  ensure(n) {
    if (n <= this.values.length) return;
    let size = this.values.length;
    while (size < n) size *= 2;
    const [values, steps] = [new Float32Array(size), new Float64Array(size)];
    values.set(this.values.subarray(0, this.length));
    steps.set(this.steps.subarray(0, this.length));
    [this.values, this.steps] = [values, steps];
  }

  summarise() {
    const full = Math.floor(this.length / BLOCK);
    if (full > this.blockMin.length) {
      const size = Math.max(full, this.blockMin.length * 2);
      const mn = new Float32Array(size); mn.set(this.blockMin); this.blockMin = mn;
      const mx = new Float32Array(size); mx.set(this.blockMax); this.blockMax = mx;
    }
    for (let b = this.blocks; b < full; b++) {
      const [lo, hi] = this.rawRange(b * BLOCK, (b + 1) * BLOCK);
      this.blockMin[b] = lo;
      this.blockMax[b] = hi;
    }
    this.blocks = full;
  }

  rawRange(from, to) {
    let lo = Infinity;
    let hi = -Infinity;
    const v = this.values;
    for (let i = from; i < to; i++) {
      const x = v[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x; // NaN fails both comparisons and is skipped
    }
    return [lo, hi];
  }

  /** [min, max] of finite values over indices [from, to) relative to base. */
  range(from, to) {
    from = Math.max(0, from);
    to = Math.min(this.length, to);
    if (to - from < 2 * BLOCK) return this.rawRange(from, to);
    const b0 = Math.ceil(from / BLOCK);
    const b1 = Math.floor(to / BLOCK);
    let [lo, hi] = this.rawRange(from, b0 * BLOCK);
    for (let b = b0; b < b1; b++) {
      if (this.blockMin[b] < lo) lo = this.blockMin[b];
      if (this.blockMax[b] > hi) hi = this.blockMax[b];
    }
    const [lo2, hi2] = this.rawRange(b1 * BLOCK, to);
    return [Math.min(lo, lo2), Math.max(hi, hi2)];
  }

  /** [min, max] of finite values at steps [from, to). */
  rangeSteps(from, to) {
    return this.range(this.indexOf(from), this.indexOf(to));
  }
}

/**
 * The last `window` steps of one per-layer quantity, as a ring buffer [window, layers].
 * A new layer count starts it over; steps at or after a step already held replace it
 * and everything after it (a frame that overlaps the last one).
 */
export class LayerWindow {
  constructor(window) {
    this.window = window;
    this.steps = new Float64Array(window);
    this.clear();
  }

  clear(layers = 0) {
    this.layers = layers;
    this.data = new Float32Array(this.window * layers);
    this.count = 0; // valid entries (<= window)
    this.head = 0; // next write slot
  }

  slot(c) {
    return (this.head - this.count + c + this.window) % this.window;
  }

  get lastStep() {
    return this.count ? this.steps[this.slot(this.count - 1)] : -1;
  }

  get firstStep() {
    return this.count ? this.steps[this.slot(0)] : -1;
  }

  /** Steps first..first+count-1 (or steps[k] each, when given), data [count, layers] row-major. */
  add(first, count, layers, data, steps = null) {
    if (layers !== this.layers) this.clear(layers);
    if (steps && count) first = steps[0];
    while (this.count && this.lastStep >= first) {
      this.head = (this.head - 1 + this.window) % this.window;
      this.count -= 1;
    }
    for (let k = Math.max(0, count - this.window); k < count; k++) {
      this.data.set(data.subarray(k * layers, (k + 1) * layers), this.head * layers);
      this.steps[this.head] = steps ? steps[k] : first + k;
      this.head = (this.head + 1) % this.window;
      this.count = Math.min(this.window, this.count + 1);
    }
  }

  /** Visit oldest first: fn(column, step, valuesOfLayers). */
  forEach(fn) {
    const L = this.layers;
    for (let c = 0; c < this.count; c++) {
      const s = this.slot(c);
      fn(c, this.steps[s], this.data.subarray(s * L, (s + 1) * L));
    }
  }

  /** Values of layer l, oldest first, for the last n steps (all when n is omitted). */
  column(l, n = this.count) {
    n = Math.min(n, this.count);
    const out = new Float32Array(n);
    for (let c = 0; c < n; c++) out[c] = this.data[this.slot(this.count - n + c) * this.layers + l];
    return out;
  }

  latest() {
    if (!this.count) return null;
    const s = this.slot(this.count - 1);
    return this.data.subarray(s * this.layers, (s + 1) * this.layers);
  }
}

/**
 * Percentile bands per layer, one entry per frame (they travel with frames, not
 * steps): the last `window` frames that had them. data[kind] is a list (per frame) of
 * Float32Array [layers * percentiles]; the kinds are the frame's (bands.W, bands.dW, …).
 */
export class BandHistory {
  constructor(window = BAND_WINDOW) {
    this.window = window;
    this.percentiles = 0; // values per band, from hello
    this.clear();
  }

  setHello(hello) {
    this.percentiles = describedDiagnostics(hello).percentiles.length;
    this.clear();
  }

  clear() {
    this.layers = 0;
    this.steps = [];
    this.data = {};
  }

  get count() { return this.steps.length; }

  add(frame) {
    const P = this.percentiles;
    const L = frame.layers.length;
    const kinds = L ? Object.keys(frame.layers[0].bands || {}) : [];
    if (!P || !kinds.length) return;
    const last = this.steps.length ? this.steps[this.steps.length - 1] : -1;
    const restart = L !== this.layers || frame.step < last || String(kinds) !== String(Object.keys(this.data));
    if (!restart && frame.step === last) return; // the same step again (a config change while paused)
    if (restart) {
      this.clear();
      this.layers = L;
      for (const kind of kinds) this.data[kind] = [];
    }
    this.steps.push(frame.step);
    for (const kind of kinds) {
      const row = new Float32Array(L * P).fill(NaN);
      frame.layers.forEach((layer, l) => { if (layer.bands[kind]) row.set(layer.bands[kind].subarray(0, P), l * P); });
      this.data[kind].push(row);
    }
    if (this.steps.length > this.window) {
      this.steps.shift();
      for (const rows of Object.values(this.data)) rows.shift();
    }
  }
}

/**
 * All history the charts need: loss and learning-rate series, a window of every
 * per-layer measure hello.diagnostics names (measure(name)), and the bands.
 */
export class History {
  constructor(window = LAYER_WINDOW) {
    this.trainLoss = new Series();
    this.testLoss = new Series();
    this.learningRate = new Series();
    this.window = window;
    this.measures = new Map(); // measure name -> LayerWindow
    this.bands = new BandHistory();
    this.run = undefined;
  }

  setHello(hello) {
    this.measures = new Map(describedDiagnostics(hello).measures.map((m) => [m.name, new LayerWindow(this.window)]));
    this.bands.setHello(hello);
    this.clear();
  }

  /** The window of one measure (by its hello name), or null before hello. */
  measure(name) {
    return this.measures.get(name) || null;
  }

  /** Weight layers the per-layer windows hold (0 before the first step). */
  get layers() {
    for (const w of this.measures.values()) if (w.count) return w.layers;
    return 0;
  }

  clear() {
    this.trainLoss.clear();
    this.testLoss.clear();
    this.learningRate.clear();
    for (const w of this.measures.values()) w.clear();
    this.bands.clear();
  }

  add(frame) {
    const h = frame.history;
    if (!h || h.first === undefined) return;
    // Step 0 means a reset or a new network: the old curves no longer apply.
    if (frame.step === 0 || frame.run !== this.run) this.clear();
    this.run = frame.run;
    this.bands.add(frame);
    if (!h.count) return;
    const steps = h.step && h.step.length >= h.count ? h.step : null; // each row's step (older ones thinned)
    for (const key of ['trainLoss', 'testLoss', 'learningRate']) {
      if (h[key]) this[key].write(h.first, h[key].subarray(0, h.count), steps);
    }
    for (const [name, win] of this.measures) {
      const data = h[camel(name)];
      if (data && h.layers && data.length >= h.count * h.layers) win.add(h.first, h.count, h.layers, data, steps);
    }
  }
}
