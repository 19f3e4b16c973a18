// Decoding of binary messages (static/js/protocol.js) against messages built by hand
// from docs/protocol.md's description, not by the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBinary, decodeMessage, camel, msg } from '../../static/js/protocol.js';
import { encodeMessage, range } from './wire.mjs';

const close = (actual, expected) => assert.deepEqual(Array.from(actual, (v) => Math.fround(v)), expected.map(Math.fround));

/** A 2-3-1 network at step 12, history of steps 10..12, and optionally a run B. */
function frameMessage({ compare = false, step = 12 } = {}) {
  const header = {
    kind: 'frame', step, config_version: 3, running: true, run: 7,
    history: step ? { first: 10, count: 3 } : { first: 1, count: 0 },
    columns: [{ size: 2, activation: null, labels: ['x1', 'x2'] }, { size: 3, activation: 'relu' },
      { size: 1, activation: 'sigmoid' }],
    problem: 'classification', inputs: 'plane',
    metrics: { train_loss: 0.25, test_loss: 0.5, train_accuracy: 0.9 },
    warnings: [{ code: 'dead', layer: 1, layers: [1], value: 0.66, message: '66% of the ReLUs in hidden layer 1 are dead (mean over the last 20 steps)' }],
    health: { first_to_last: 0.002, window: 20 },
    grid: { res: 2, extent: [-6, 6, -6, 6], node_res: 1 },
  };
  const k = step ? 3 : 0;
  const arrays = [
    ['history.loss', [k], range(k, 1)],
    ['history.train_loss', [k], range(k, 10)],
    ['history.learning_rate', [k], [0.1, 0.1, 0.05].slice(0, k)],
    ['history.grad_norm', [k, 2], range(2 * k, 100)], // rows: steps, columns: layers
    ['history.dead', [k, 2], [0.5, 0, 0.25, 0, 0, 0].slice(0, 2 * k)],
    ['layer0.W', [2, 3], range(6, 1)],
    ['layer0.b', [3], [0.5, -0.5, 0]],
    ['layer1.W', [3, 1], [-1, -2, -3]],
    ['layer1.b', [1], [0.125]],
    ['grid.output', [2, 2], [0.1, 0.2, 0.3, 0.4]],
    ['grid.nodes0', [2, 1, 1], [1, 2]],
    ['grid.nodes1', [3, 1, 1], [3, 4, 5]],
    ['grid.nodes2', [1, 1, 1], [6]],
  ];
  if (step) {
    arrays.push(['layer0.dW', [2, 3], range(6, -3)], ['layer0.delta_abs', [3], [0.25, 0.5, 0.75]],
      ['layer0.bands.W', [9], range(9)], ['layer1.dW_step', [3, 1], [0.5, 0.25, 0.125]]);
  }
  if (compare) {
    Object.assign(header, {
      compare: { field: 'activation', value: 'tanh' },
      columns_b: [{ size: 2 }, { size: 3, activation: 'tanh' }, { size: 1, activation: 'sigmoid' }],
      metrics_b: { train_loss: 0.75 }, warnings_b: [], health_b: { first_to_last: null, window: 20 },
    });
    arrays.push(['b/history.loss', [3], [7, 8, 9]], ['b/history.grad_norm', [3, 2], range(6, 200)],
      ['b/layer0.W', [2, 3], range(6, 50)], ['b/layer1.W', [3, 1], [9, 9, 9]], ['b/grid.output', [2, 2], [1, 1, 0, 0]]);
  }
  return encodeMessage(header, arrays);
}

test('decodeBinary reads the header length, the padded header, and each array at its offset', () => {
  const buffer = encodeMessage({ kind: 'x', note: 'é' }, [['a', [2], [1.5, -2]], ['m', [2, 2], [1, 2, 3, 4]]]);
  const { header, arrays } = decodeBinary(buffer);
  assert.equal(header.kind, 'x');
  assert.equal(header.note, 'é'); // UTF-8, not Latin-1
  assert.deepEqual([...arrays.keys()], ['a', 'm']);
  assert.deepEqual(arrays.get('m').shape, [2, 2]);
  close(arrays.get('a').data, [1.5, -2]);
  close(arrays.get('m').data, [1, 2, 3, 4]);
});

test('a payload that is not 4-byte aligned is copied out value by value, little-endian', () => {
  const buffer = encodeMessage({ kind: 'x' }, [['a', [3], [0.1, 1e-20, -3e5]]], { pad: false });
  const headerLength = new DataView(buffer).getUint32(0, true);
  assert.notEqual((4 + headerLength) % 4, 0, 'the test needs a misaligned payload');
  close(decodeBinary(buffer).arrays.get('a').data, [0.1, 1e-20, -3e5]);
});

test('a frame: header fields, layers from layer{i}.* with their shapes, grid, health', () => {
  const f = decodeMessage(frameMessage());
  assert.equal(f.kind, 'frame');
  assert.equal(f.step, 12);
  assert.equal(f.run, 7);
  assert.equal(f.configVersion, 3);
  assert.equal(f.running, true);
  assert.deepEqual(f.health, { first_to_last: 0.002, window: 20 });
  assert.equal(f.metrics.train_accuracy, 0.9);
  assert.equal(f.warnings[0].code, 'dead');
  assert.equal(f.layers.length, 2);
  const [l0, l1] = f.layers;
  assert.deepEqual([l0.nIn, l0.nOut, l1.nIn, l1.nOut], [2, 3, 3, 1]);
  close(l0.W, [1, 2, 3, 4, 5, 6]); // row-major [n_in, n_out]: W[1][0] is the 4th value
  close(l0.dW, [-3, -2, -1, 0, 1, 2]);
  close(l0.b, [0.5, -0.5, 0]);
  close(l0.delta_abs, [0.25, 0.5, 0.75]);
  close(l0.bands.W, range(9));
  close(l1.dW_step, [0.5, 0.25, 0.125]);
  assert.equal(l1.dW, undefined);
  assert.equal(f.grid.res, 2);
  assert.equal(f.grid.nodeRes, 1);
  assert.equal(f.grid.outputClasses, 1);
  close(f.grid.output, [0.1, 0.2, 0.3, 0.4]);
  assert.deepEqual(f.grid.nodes.map((n) => Array.from(n)), [[1, 2], [3, 4, 5], [6]]);
  assert.equal(f.b, null);
});

test('history arrays keep their step range and become camelCase keys; per-layer ones set `layers`', () => {
  const h = decodeMessage(frameMessage()).history;
  assert.equal(h.first, 10);
  assert.equal(h.count, 3);
  assert.equal(h.layers, 2);
  close(h.loss, [1, 2, 3]);
  close(h.trainLoss, [10, 11, 12]);
  close(h.learningRate, [0.1, 0.1, 0.05]);
  close(h.gradNorm, [100, 101, 102, 103, 104, 105]);
  close(h.dead, [0.5, 0, 0.25, 0, 0, 0]);
});

test('before the first step: an empty history, and no gradients rather than zeros', () => {
  const f = decodeMessage(frameMessage({ step: 0 }));
  assert.deepEqual([f.history.first, f.history.count], [1, 0]);
  assert.equal(f.layers[0].dW, undefined);
  assert.deepEqual(f.layers[0].bands, {});
});

test("run B is built from the b/ arrays and the header's *_b fields; run A never sees them", () => {
  const f = decodeMessage(frameMessage({ compare: true }));
  assert.deepEqual(f.compare, { field: 'activation', value: 'tanh' });
  const b = f.b;
  assert.equal(b.step, 12);
  assert.equal(b.run, 7);
  assert.equal(b.columns[1].activation, 'tanh');
  assert.equal(b.metrics.train_loss, 0.75);
  assert.deepEqual(b.health, { first_to_last: null, window: 20 });
  assert.deepEqual(b.warnings, []);
  close(b.layers[0].W, range(6, 50));
  close(b.layers[1].W, [9, 9, 9]);
  assert.equal(b.layers[0].dW, undefined);
  close(b.grid.output, [1, 1, 0, 0]);
  close(b.history.loss, [7, 8, 9]);
  close(b.history.gradNorm, range(6, 200));
  assert.equal(b.history.first, 10);
  // A's own arrays are untouched by B's.
  close(f.layers[0].W, [1, 2, 3, 4, 5, 6]);
  close(f.history.loss, [1, 2, 3]);
  assert.equal(f.health.first_to_last, 0.002);
  assert.equal(Object.keys(f.history).some((k) => k.startsWith('b/')), false);
});

test('a dataset message', () => {
  const d = decodeMessage(encodeMessage(
    { kind: 'dataset', problem: 'multiclass', inputs: 'plane', classes: 3, class_labels: ['a', 'b', 'c'],
      image_shape: null, n_train: 2, n_test: 1, extent: [-6, 6, -6, 6] },
    [['train.x', [2, 2], [1, 2, 3, 4]], ['train.y', [2], [0, 2]], ['test.x', [1, 2], [5, 6]], ['test.y', [1], [1]]],
  ));
  assert.equal(d.kind, 'dataset');
  assert.equal(d.classes, 3);
  assert.deepEqual(d.classLabels, ['a', 'b', 'c']);
  assert.equal(d.train.n, 2);
  close(d.train.x, [1, 2, 3, 4]);
  close(d.test.y, [1]);
  assert.equal(d.samples, null);
});

test('an unknown kind decodes to null', () => {
  assert.equal(decodeMessage(encodeMessage({ kind: 'later' }, [])), null);
});

test('camel and the commands', () => {
  assert.equal(camel('mean_abs_delta'), 'meanAbsDelta');
  assert.equal(camel('loss'), 'loss');
  assert.deepEqual(msg.set({ learning_rate: 0.1 }, 7), { type: 'set', config: { learning_rate: 0.1 }, id: 7 });
  assert.deepEqual(msg.step(), { type: 'step', n: 1 });
  assert.deepEqual(msg.join(null, null, null, 1), { type: 'join', session: null, token: null, config: null, watch: true });
});
