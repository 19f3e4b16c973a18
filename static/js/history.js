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

/** All history the charts need: loss and learning-rate series and a window of gradient norms. */
export class History {
  constructor() {
    this.trainLoss = new Series();
    this.testLoss = new Series();
    this.learningRate = new Series();
    this.window = GRAD_WINDOW;
    this.clear();
  }

  clear() {
    this.trainLoss.clear();
    this.testLoss.clear();
    this.learningRate.clear();
    this.layers = 0;
    this.grad = new Float32Array(0); // ring buffer [window, layers]
    this.gradSteps = new Float64Array(this.window);
    this.gradCount = 0; // number of valid entries (<= window)
    this.gradHead = 0; // next write slot
  }

  add(frame) {
    const h = frame.history;
    if (!h || h.first === undefined) return;
    // Step 0 means a reset or a new network: the old curves no longer apply.
    if (frame.step === 0 || (frame.run !== undefined && frame.run !== this.run)) this.clear();
    this.run = frame.run;
    if (!h.count) return;
    if (h.trainLoss) this.trainLoss.write(h.first, h.trainLoss.subarray(0, h.count));
    if (h.testLoss) this.testLoss.write(h.first, h.testLoss.subarray(0, h.count));
    if (h.learningRate) this.learningRate.write(h.first, h.learningRate.subarray(0, h.count));
    if (h.gradNorm) this.addGrad(h.first, h.count, h.gradLayers, h.gradNorm);
  }

  addGrad(first, count, layers, data) {
    const lastStep = this.gradCount ? this.gradSteps[(this.gradHead - 1 + this.window) % this.window] : -1;
    if (layers !== this.layers || (this.gradCount && first <= lastStep)) {
      // New architecture or history rewritten (reset, rejoin): start the window over.
      this.layers = layers;
      this.grad = new Float32Array(this.window * layers);
      this.gradCount = 0;
      this.gradHead = 0;
    }
    const start = Math.max(0, count - this.window);
    for (let k = start; k < count; k++) {
      this.grad.set(data.subarray(k * layers, (k + 1) * layers), this.gradHead * layers);
      this.gradSteps[this.gradHead] = first + k;
      this.gradHead = (this.gradHead + 1) % this.window;
      this.gradCount = Math.min(this.window, this.gradCount + 1);
    }
  }

  /** Visit the gradient window oldest first: fn(column, step, valuesOfLayers). */
  forEachGrad(fn) {
    const L = this.layers;
    for (let c = 0; c < this.gradCount; c++) {
      const slot = (this.gradHead - this.gradCount + c + this.window) % this.window;
      fn(c, this.gradSteps[slot], this.grad.subarray(slot * L, (slot + 1) * L));
    }
  }

  latestGrad() {
    if (!this.gradCount) return null;
    const slot = (this.gradHead - 1 + this.window) % this.window;
    return this.grad.subarray(slot * this.layers, (slot + 1) * this.layers);
  }
}
