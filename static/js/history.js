// Per-step scalars merged from every frame received (not only the drawn one),
// so the charts never miss a step even when frames arrive faster than paints.

const BLOCK = 256; // min/max summaries per block keep long runs cheap to draw
const GRAD_WINDOW = 300;

/** A growable series of float values indexed by step, with per-block min/max. */
export class Series {
  constructor() {
    this.clear();
  }

  clear() {
    this.base = 0;
    this.length = 0;
    this.values = new Float32Array(4096);
    this.blockMin = new Float32Array(64);
    this.blockMax = new Float32Array(64);
    this.blocks = 0; // complete blocks summarised
  }

  get end() {
    return this.base + this.length;
  }

  /** Write values for steps first..first+n-1, truncating anything after them. */
  write(first, data) {
    if (this.length === 0 || first < this.base) {
      this.clear();
      this.base = first;
    }
    let at = first - this.base;
    if (at > this.length) {
      // A gap (dropped frames): keep the time axis honest with NaN holes.
      this.ensure(at);
      this.values.fill(NaN, this.length, at);
    }
    this.length = at;
    this.blocks = Math.min(this.blocks, Math.floor(at / BLOCK));
    this.ensure(at + data.length);
    this.values.set(data, at);
    this.length = at + data.length;
    this.summarise();
  }

  ensure(n) {
    if (n <= this.values.length) return;
    let size = this.values.length;
    while (size < n) size *= 2;
    const grown = new Float32Array(size);
    grown.set(this.values.subarray(0, this.length));
    this.values = grown;
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
}

/**
 * The last `window` steps of one per-layer quantity, as a ring buffer [window, layers].
 * A new layer count or a step at or before the newest one starts it over.
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

  get lastStep() {
    return this.count ? this.steps[(this.head - 1 + this.window) % this.window] : -1;
  }

  add(first, count, layers, data) {
    if (layers !== this.layers || (this.count && first <= this.lastStep)) this.clear(layers);
    const start = Math.max(0, count - this.window);
    for (let k = start; k < count; k++) {
      this.data.set(data.subarray(k * layers, (k + 1) * layers), this.head * layers);
      this.steps[this.head] = first + k;
      this.head = (this.head + 1) % this.window;
      this.count = Math.min(this.window, this.count + 1);
    }
  }

  /** Visit oldest first: fn(column, step, valuesOfLayers). */
  forEach(fn) {
    const L = this.layers;
    for (let c = 0; c < this.count; c++) {
      const slot = (this.head - this.count + c + this.window) % this.window;
      fn(c, this.steps[slot], this.data.subarray(slot * L, (slot + 1) * L));
    }
  }

  /** Values of layer l, oldest first, for the last n steps (all when n is omitted). */
  column(l, n = this.count) {
    n = Math.min(n, this.count);
    const out = new Float32Array(n);
    const L = this.layers;
    for (let c = 0; c < n; c++) {
      const slot = (this.head - n + c + this.window) % this.window;
      out[c] = this.data[slot * L + l];
    }
    return out;
  }

  latest() {
    if (!this.count) return null;
    const slot = (this.head - 1 + this.window) % this.window;
    return this.data.subarray(slot * this.layers, (slot + 1) * this.layers);
  }
}

const BAND_KINDS = ['W', 'dW', 'a'];
const BAND_WINDOW = 300;
const PERCENTILES = 9;

/**
 * Percentile bands of weights, gradients and activations per layer, one entry per frame
 * (they travel with frames, not steps): the last BAND_WINDOW frames that had them.
 */
export class BandHistory {
  constructor(window = BAND_WINDOW) {
    this.window = window;
    this.clear();
  }

  clear() {
    this.layers = 0;
    this.steps = [];
    this.data = { W: [], dW: [], a: [] }; // kind -> list (per frame) of Float32Array [layers * 9]
  }

  get count() { return this.steps.length; }

  add(frame) {
    const L = frame.layers.length;
    if (!L || !frame.layers.every((l) => l.bands && l.bands.W)) return;
    const last = this.steps.length ? this.steps[this.steps.length - 1] : -1;
    if (L !== this.layers || frame.step < last) { this.clear(); this.layers = L; }
    if (frame.step === last) return; // the same step again (a config change while paused)
    this.steps.push(frame.step);
    for (const kind of BAND_KINDS) {
      const row = new Float32Array(L * PERCENTILES).fill(NaN);
      frame.layers.forEach((layer, l) => { if (layer.bands[kind]) row.set(layer.bands[kind].subarray(0, PERCENTILES), l * PERCENTILES); });
      this.data[kind].push(row);
    }
    if (this.steps.length > this.window) {
      this.steps.shift();
      for (const kind of BAND_KINDS) this.data[kind].shift();
    }
  }
}

const DIAGNOSTIC_KEYS = ['meanAbsDelta', 'updateRatio', 'actMean', 'actStd', 'dead', 'saturated'];

/** All history the charts need: loss and learning-rate series and a window of per-layer diagnostics. */
export class History {
  constructor() {
    this.trainLoss = new Series();
    this.testLoss = new Series();
    this.learningRate = new Series();
    this.window = GRAD_WINDOW;
    this.grads = new LayerWindow(GRAD_WINDOW);
    // mean |δ|, ‖ΔW‖/‖W‖, activation mean and std, dead and saturated fractions.
    this.diagnostics = Object.fromEntries(DIAGNOSTIC_KEYS.map((k) => [k, new LayerWindow(GRAD_WINDOW)]));
    this.bands = new BandHistory();
    this.clear();
  }

  clear() {
    this.trainLoss.clear();
    this.testLoss.clear();
    this.learningRate.clear();
    this.grads.clear();
    for (const w of Object.values(this.diagnostics)) w.clear();
    this.bands.clear();
  }

  // The gradient-norm window, as the heatmap reads it.
  get layers() { return this.grads.layers; }
  get gradCount() { return this.grads.count; }
  forEachGrad(fn) { this.grads.forEach(fn); }
  latestGrad() { return this.grads.latest(); }

  add(frame) {
    const h = frame.history;
    if (!h || h.first === undefined) return;
    // Step 0 means a reset or a new network: the old curves no longer apply.
    if (frame.step === 0 || (frame.run !== undefined && frame.run !== this.run)) this.clear();
    this.run = frame.run;
    this.bands.add(frame);
    if (!h.count) return;
    if (h.trainLoss) this.trainLoss.write(h.first, h.trainLoss.subarray(0, h.count));
    if (h.testLoss) this.testLoss.write(h.first, h.testLoss.subarray(0, h.count));
    if (h.learningRate) this.learningRate.write(h.first, h.learningRate.subarray(0, h.count));
    if (h.gradNorm) this.grads.add(h.first, h.count, h.gradLayers, h.gradNorm);
    for (const key of DIAGNOSTIC_KEYS) {
      const data = h.diagnostics && h.diagnostics[key];
      if (data && data.length >= h.count * h.gradLayers) this.diagnostics[key].add(h.first, h.count, h.gradLayers, data);
    }
  }
}
