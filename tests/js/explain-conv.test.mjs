// Explain a step of a CNN (static/js/explain-conv.js): each stage's table holds the message's
// numbers in their places, the filter weight's sum over positions lists its terms, the rest
// and the finite difference, the chooser keeps a weight inside the layer it moves to, and the
// maps frame the input pixels the listed terms read. The message: conv 2@3×3 (same), max
// pool, conv 3@2×2 (valid, stride 2), made-up numbers (the page shows them, it does not check them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chosen, convChainModel, convTable, mapsModel, weightWords } from '../../static/js/explain-conv.js';
import { stagePlace, stageTitle } from '../../static/js/explain-tables.js';

const stage = (phase, block, name) => ({ phase, layer: null, t: null, block, name });
const act = { name: 'relu', label: 'ReLU', formula: 'a = max(0, z)', slope: 'f′(z) = 1 if z > 0, else 0' };
const convWorked = {
  channel: 1, position: [2, 3], out: 0.5, grad_out: -0.2, terms: [{ tap: [0, 1, 1], w: 0.3, x: 0.9, product: 0.27 }],
  count: 9, padded: 0, rest: { count: 8, sum: 0.2 }, sum: 0.47, b: 0.03, z: 0.5, df: 1, delta: -0.2,
};

function message(over = {}) {
  return {
    type: 'explanation', on: true, model: 'cnn', step: 5, sample: 1, batch_size: 4, batch: [9, 3, 7, 1], images: null,
    stage: 0,
    stages: [stage('forward', 0, 'convolution 1'), stage('forward', 1, 'max pool 1'), stage('forward', 2, 'convolution 2'),
      stage('forward', null, 'dense head'), stage('loss', null, null), stage('backward', null, 'dense head'),
      stage('backward', 2, 'convolution 2'), stage('backward', 1, 'max pool 1'), stage('backward', 0, 'convolution 1'),
      stage('update', null, null)],
    image_shape: [1, 8, 8],
    blocks: [
      { index: 0, kind: 'conv', label: 'Convolution', name: 'convolution 1', layer: 0, shape_in: [1, 8, 8], shape_out: [2, 8, 8],
        stride: 1, kernel: 3, pad: [1, 1], activation: act, out_range: [[0, 0.7], [0, 0.5]], grad_range: [[-0.1, 0.1], [-0.2, 0.3]],
        delta_range: [[-0.1, 0.1], [-0.2, 0.3]], worked: convWorked },
      { index: 1, kind: 'max_pool', label: 'Max pool 2×2', name: 'max pool 1', layer: null, shape_in: [2, 8, 8], shape_out: [2, 4, 4],
        stride: 2, kernel: null, pad: [0, 0], activation: null, out_range: [[0, 0.7], [0, 0.5]], grad_range: [[-0.1, 0.1], [-0.2, 0.3]],
        delta_range: null, worked: { channel: 1, position: [0, 1], out: 0.5, grad_out: 0.3, window: [0.1, 0.5, 0.2, 0], grad_in: [0, 0.3, 0, 0] } },
      { index: 2, kind: 'conv', label: 'Convolution', name: 'convolution 2', layer: 1, shape_in: [2, 4, 4], shape_out: [3, 2, 2],
        stride: 2, kernel: 2, pad: [0, 0], activation: act, out_range: [[0, 1], [0, 2], [0, 3]], grad_range: [[0, 1], [0, 1], [0, 1]],
        delta_range: [[0, 1], [0, 1], [0, 1]], worked: { ...convWorked, count: 8, rest: null, terms: [] } },
    ],
    head: { size: 12, hidden: [], logits: [0.1, -0.1], prediction: [0.55, 0.45], labels: ['—', '|'] },
    loss: { name: 'softmax_ce', label: 'Cross-entropy', output: 'softmax', link: 'ŷ = softmax(z)', formula: 'ℓ = −Σ y·log ŷ',
      worked: '−log 0.55', prediction: [0.55, 0.45], target: [1, 0], value: 0.598, batch_value: 0.7, delta: [-0.45, 0.45] },
    weight: [0, 1, 0, 2, 0],
    maps: { input: [[0, 1], [1, 0]], a: [[0.5]], delta: [[-0.2]] },
    chain: {
      weight: [0, 1, 0, 2, 0], name: 'W[2,1,3,1]', layer_name: 'convolution 1', value: 0.12, stride: 1, pad: [1, 1],
      terms: [{ position: [3, 4], x: 0.9, delta: -0.2, product: -0.18 }, { position: [7, 0], x: 0, delta: 0.5, product: 0 }],
      count: 64, padded: 15, rest: { count: 62, sum: 0.05 }, sum: -0.13,
      finite_difference: { of: 'batch', h: 1e-5, loss_plus: 0.70001, loss_minus: 0.69999, estimate: 0.021, analytic: 0.021, relative_error: 3e-10 },
    },
    update: null,
    ...over,
  };
}

const parts = (line) => line.parts.filter((p) => typeof p === 'object');

test('a conv block forward: one row per channel, z written out with its terms, the rest and the bias', () => {
  const m = message();
  assert.equal(stageTitle(m), 'Forward · convolution 1');
  assert.equal(stagePlace(m), 'convolution 1 · 1 of 10');
  const t = convTable(m);
  assert.equal(t.rows.length, 2);
  assert.deepEqual(t.rows[1].cells.range.map((p) => p.v ?? p), [0, ' … ', 0.5]);
  const z = t.lines.find((l) => l.key === 'z');
  assert.match(z.label, /filter 2 at \(3, 4\).*9 taps/);
  assert.deepEqual(parts(z).map((p) => [p.k, p.v]), [['w', 0.3], ['x', 0.9], ['rest', 0.2], ['b', 0.03], ['z', 0.5]]);
});

test('a pool forward shows its window; backward through a conv writes δ = ∂ℓ/∂a · f′(z)', () => {
  const pool = convTable(message({ stage: 1 }));
  assert.deepEqual(parts(pool.lines[0]).map((p) => p.v), [0.1, 0.5, 0.2, 0, 0.5]);
  const back = convTable(message({ stage: 8 }));
  assert.equal(back.caption, 'convolution 1, backward: the error maps δ = ∂ℓ/∂z');
  assert.deepEqual(parts(back.lines[0]).map((p) => [p.k, p.v]), [['grad_out', -0.2], ['df', 1], ['delta', -0.2]]);
  assert.equal(convTable(message({ stage: 4 })).id, 'loss');
  assert.equal(convTable(message({ stage: 3 })).rows[0].cells.neuron[0], '—');
});

test('the chain: the listed positions, the rest summed, the batch dW and its finite difference', () => {
  const m = message();
  assert.equal(weightWords(m), 'filter 2, input channel 1, tap (3, 1) of convolution 1');
  const c = convChainModel(m);
  assert.equal(c.rows.length, 2);
  assert.equal(c.rows[0].parts[0], '(4,5) ');
  assert.deepEqual(c.rows[0].parts.filter((p) => typeof p === 'object').map((p) => p.v), [0.9, -0.2, -0.18]);
  const labels = c.summary.map((s) => s.label);
  assert.equal(labels[0], '… 62 more positions, summed');
  assert.equal(labels[1], 'sum over all 64 positions: this sample’s ∂ℓ/∂w');
  assert.match(c.intro, /all 64 output positions.*15 of them on the zero padding/);
  assert.equal(c.summary.at(-1).verdict, 'they agree');
});

test('the chooser keeps the weight inside the layer it moves to; the maps frame the terms', () => {
  const m = message();
  assert.deepEqual(chosen(m, 'layer', 1), [1, 1, 0, 1, 0]); // k = 2 there: the tap (2, 0) becomes (1, 0)
  assert.deepEqual(chosen(m, 'f', 0), [0, 0, 0, 2, 0]);
  const [input, delta] = mapsModel(m);
  // position (p, q) reads x_pad[s·p + i, s·q + j], the input's pixel (s·p + i − 1, s·q + j − 1)
  assert.deepEqual(input.marks, [[4, 3], [8, -1]]);
  assert.deepEqual(delta.marks, [[3, 4], [7, 0]]);
});
