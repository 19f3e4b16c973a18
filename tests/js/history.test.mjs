// History windows (static/js/history.js): frames merged step by step, whatever
// order and overlap they arrive in, and the per-layer measures hello names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Series, LayerWindow, BandHistory, History } from '../../static/js/history.js';

const f32 = (a) => Float32Array.from(a);
const values = (s) => Array.from(s.values.subarray(0, s.length));
const steps = (w) => { const out = []; w.forEach((_c, step) => out.push(step)); return out; };

const HELLO = {
  diagnostics: {
    window: 20, percentiles: [0, 50, 100],
    measures: [{ name: 'grad_norm', label: '‖dW‖', log: true }, { name: 'brand_new', label: 'new', log: false }],
    warnings: [],
  },
};

/** A frame of L layers holding steps first..first+count-1; every per-layer value is step*10 + layer. */
function frame(first, count, { run = 1, L = 2, step = first + count - 1, bands = true } = {}) {
  const perLayer = (offset) => f32(Array.from({ length: count * L }, (_, i) => (first + Math.floor(i / L)) * 10 + (i % L) + offset));
  return {
    step, run,
    layers: Array.from({ length: L }, (_, l) => ({
      bands: bands ? { W: f32([step, step + l, step + 2 * l]), dW: f32([-1, 0, 1]) } : {},
    })),
    history: {
      first, count, layers: L,
      trainLoss: f32(Array.from({ length: count }, (_, i) => first + i)),
      gradNorm: perLayer(0),
      brandNew: perLayer(0.5),
      notInHello: perLayer(0),
    },
  };
}

test('Series: frames that follow, overlap, skip steps or start earlier', () => {
  const s = new Series();
  s.write(1, f32([1, 2, 3]));
  s.write(4, f32([4, 5]));
  assert.deepEqual([s.base, s.end], [1, 6]);
  s.write(3, f32([30, 40])); // overlap: replaces step 3 on, drops what came after
  assert.deepEqual(values(s), [1, 2, 30, 40]);
  s.write(7, f32([7])); // steps 5 and 6 missing: each value keeps its own step, so the time axis stays honest
  assert.deepEqual(values(s), [1, 2, 30, 40, 7]);
  assert.deepEqual(Array.from(s.steps.subarray(0, s.length)), [1, 2, 3, 4, 7]);
  assert.deepEqual([s.base, s.end], [1, 8]);
  s.write(0, f32([9])); // before the base: a new start
  assert.deepEqual([s.base, ...values(s)], [0, 9]);
});

test('Series: a thinned older part and the recent steps, as a late page is sent them', () => {
  const s = new Series();
  const steps = [1, 64, 128, 192, 256, 257, 258, 259];
  s.write(1, f32(steps.map((x) => x / 2)), Float64Array.from(steps));
  assert.deepEqual([s.base, s.end, s.length], [1, 260, 8]);
  assert.deepEqual(s.rangeSteps(60, 200), [32, 96]); // the values at steps 64, 128 and 192
  assert.deepEqual(s.rangeSteps(2, 64), [Infinity, -Infinity]); // no step kept between 1 and 64
  s.write(258, f32([1, 2, 3]), Float64Array.from([258, 259, 260])); // the next frame overlaps the last
  assert.deepEqual(Array.from(s.steps.subarray(0, s.length)), [1, 64, 128, 192, 256, 257, 258, 259, 260]);
  const many = Array.from({ length: 5000 }, (_, i) => 1 + i * 1000); // a long run, summarised in blocks
  s.write(1, f32(many.map((x) => -x)), Float64Array.from(many));
  assert.deepEqual(s.rangeSteps(1_000_000, 3_000_002), [-3_000_001, -1_000_001]);
});

test('History: a frame with history.step puts each row at its own step', () => {
  const h = new History(3);
  h.setHello(HELLO);
  const f = frame(1, 4);
  f.history.step = Float32Array.from([1, 50, 99, 100]);
  h.add(f);
  assert.deepEqual(Array.from(h.trainLoss.steps.subarray(0, 4)), [1, 50, 99, 100]);
  assert.deepEqual(steps(h.measure('grad_norm')), [50, 99, 100]);
});

test('Series: the block summaries give the same range as a scan, after a rewrite too', () => {
  const s = new Series();
  const n = 3000;
  s.write(1, f32(Array.from({ length: n }, (_, i) => Math.sin(i) * i)));
  const scan = (from, to) => { const v = values(s).slice(from, to); return [Math.min(...v), Math.max(...v)]; };
  for (const [a, b] of [[0, n], [5, 2900], [300, 1000], [0, 600]]) assert.deepEqual(s.range(a, b), scan(a, b));
  s.write(301, new Float32Array(500)); // rewrites summarised blocks from index 300 on: they must not go stale
  assert.equal(s.length, 800);
  for (const [a, b] of [[0, 800], [256, 800], [100, 700]]) assert.deepEqual(s.range(a, b), scan(a, b));
});

test('LayerWindow: slides to keep the last `window` steps, oldest first', () => {
  const w = new LayerWindow(4);
  w.add(1, 3, 2, f32([10, 11, 20, 21, 30, 31]));
  w.add(4, 3, 2, f32([40, 41, 50, 51, 60, 61]));
  assert.deepEqual(steps(w), [3, 4, 5, 6]);
  assert.deepEqual([w.firstStep, w.lastStep], [3, 6]);
  assert.deepEqual(Array.from(w.column(1)), [31, 41, 51, 61]);
  assert.deepEqual(Array.from(w.column(0, 2)), [50, 60]);
  assert.deepEqual(Array.from(w.latest()), [60, 61]);
  w.add(7, 9, 2, f32(Array.from({ length: 18 }, (_, i) => 70 + i))); // more than the window at once
  assert.deepEqual(steps(w), [12, 13, 14, 15]);
});

test('LayerWindow: an overlapping frame replaces the steps it repeats; a gap is kept as it is', () => {
  const w = new LayerWindow(10);
  w.add(1, 3, 1, f32([1, 2, 3]));
  w.add(2, 3, 1, f32([20, 30, 40]));
  assert.deepEqual(steps(w), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(w.column(0)), [1, 20, 30, 40]);
  w.add(8, 1, 1, f32([80]));
  assert.deepEqual(steps(w), [1, 2, 3, 4, 8]);
  w.add(1, 1, 3, f32([1, 1, 1])); // another network: starts over
  assert.deepEqual([w.layers, w.count], [3, 1]);
});

test('History: the per-layer measures are the ones hello names, and nothing before hello', () => {
  const h = new History(5);
  h.add(frame(1, 2));
  assert.equal(h.measure('grad_norm'), null);
  assert.equal(h.layers, 0);
  assert.deepEqual(values(h.trainLoss), [1, 2]); // the loss series need no hello
  h.setHello(HELLO);
  h.add(frame(3, 2));
  assert.deepEqual([...h.measures.keys()], ['grad_norm', 'brand_new']);
  assert.equal(h.measure('not_in_hello'), null);
  assert.equal(h.layers, 2);
  assert.deepEqual(Array.from(h.measure('grad_norm').column(1)), [31, 41]);
  assert.deepEqual(Array.from(h.measure('brand_new').latest()), [40.5, 41.5]);
});

test('History: merges frames of one run, starts over on a new run or at step 0', () => {
  const h = new History(5);
  h.setHello(HELLO);
  h.add(frame(1, 3));
  h.add(frame(4, 4)); // slides past the window of 5
  assert.deepEqual(steps(h.measure('grad_norm')), [3, 4, 5, 6, 7]);
  assert.deepEqual([h.trainLoss.base, h.trainLoss.end], [1, 8]);
  h.add(frame(8, 1, { run: 2 }));
  assert.deepEqual(steps(h.measure('grad_norm')), [8]);
  assert.deepEqual(values(h.trainLoss), [8]);
  h.add(frame(1, 0, { run: 2, step: 0, bands: false }));
  assert.equal(h.measure('grad_norm').count, 0);
  assert.equal(h.trainLoss.length, 0);
  assert.equal(h.layers, 0);
});

test('BandHistory: one entry per frame, as many values per band as hello has percentiles', () => {
  const b = new BandHistory(3);
  b.add(frame(1, 1));
  assert.equal(b.count, 0, 'no percentiles before hello');
  b.setHello({ diagnostics: { ...HELLO.diagnostics, percentiles: [0, 50] } });
  b.add(frame(1, 1, { step: 1 }));
  b.add(frame(2, 1, { step: 2 }));
  b.add(frame(2, 0, { step: 2 })); // the same step again (a config change while paused)
  assert.deepEqual(b.steps, [1, 2]);
  assert.deepEqual(Object.keys(b.data), ['W', 'dW']);
  assert.deepEqual(Array.from(b.data.W[1]), [2, 2, 2, 3]); // [layers * 2]: layer 0 then layer 1
  for (const s of [3, 4, 5]) b.add(frame(s, 1, { step: s }));
  assert.deepEqual(b.steps, [3, 4, 5]);
  assert.equal(b.data.W.length, 3);
  b.add(frame(2, 1, { step: 2 })); // back in time: a new run
  assert.deepEqual(b.steps, [2]);
  b.add(frame(3, 1, { step: 3, L: 3 })); // another network
  assert.deepEqual([b.steps, b.layers], [[3], 3]);
  b.add(frame(4, 1, { step: 4, bands: false })); // a frame without bands adds nothing
  assert.deepEqual(b.steps, [3]);
});
