// Recurrent frames on the page: decoding them (protocol.js), routing them to the recurrent
// widgets (paint.js), the time heatmap's colours and words (timeheat.js) and the sequence
// plot's helpers (sequence.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage } from '../../static/js/protocol.js';
import { paintList } from '../../static/js/paint.js';
import { heatLogs, logNorm, radiusWords, windowWords } from '../../static/js/timeheat.js';
import { LOG_MIN, LOG_MAX } from '../../static/js/gradients.js';
import { VIRIDIS, paintImage } from '../../static/js/colors.js';
import { argmax, valueRange, charWindow } from '../../static/js/sequence.js';
import { encodeMessage } from './wire.mjs';

const T = 3;
const H = 2;
function recurrentArrays(prefix = '', scale = 1) {
  return [
    [`${prefix}seq.x`, [T, 1], [1, 0, 0]], [`${prefix}seq.y`, [1], [1]], [`${prefix}seq.pred`, [1], [0.25 * scale]],
    [`${prefix}seq.h`, [T, H], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]],
    [`${prefix}time.dh_norm`, [T], [1e-6, 1e-3, 1]], [`${prefix}time.dWh_norm`, [T], [1, 2, 3]],
    [`${prefix}time.heat`, [2, T], [1e-7, 1e-4, 0.5, 1e-6, 1e-3, 1]], [`${prefix}time.heat_steps`, [2], [10, 20]],
    [`${prefix}layer0.Wx`, [1, H], [0.5, -0.5]], [`${prefix}layer0.Wh`, [H, H], [0.9 * scale, 0, 0, 0.9]],
    [`${prefix}layer0.b`, [H], [0, 0]], [`${prefix}layer1.W`, [H, 1], [1, -1]], [`${prefix}layer1.b`, [1], [0]],
  ];
}
const SEQ = { cell: 'rnn', blocks: ['h'], readout: 'last', length: T, window: T, radius: 0.9, radii: { h: 0.9 } };
const COLUMNS = [{ size: 1, labels: ['value'] }, { size: H, activation: 'tanh' }, { size: 1, activation: 'sigmoid' }];
const header = (more = {}) => ({
  kind: 'frame', step: 20, run: 1, config_version: 1, running: true, problem: 'classification', inputs: 'sequence',
  model: 'recurrent', columns: COLUMNS, sequence: SEQ, metrics: {}, warnings: [{ code: 'vanishing_time', message: 'm' }],
  health: { first_to_last: 1e-6, text: 't' }, ...more,
});

test('a recurrent frame: model, sequence header, seq.*, time.* and both weight layers with their shapes', () => {
  const f = decodeMessage(encodeMessage(header(), recurrentArrays()));
  assert.equal(f.model, 'recurrent');
  assert.deepEqual(f.sequence, SEQ);
  assert.deepEqual(f.rnn.h.shape, [T, H]);
  assert.deepEqual(Array.from(f.rnn.heat.data).map((v) => Number(v.toPrecision(3))), [1e-7, 1e-4, 0.5, 1e-6, 1e-3, 1]);
  assert.deepEqual(f.rnn.heat.shape, [2, T]);
  assert.deepEqual(Array.from(f.rnn.heatSteps.data), [10, 20]);
  assert.deepEqual(Array.from(f.rnn.cell.Wh.data).map((v) => Number(v.toFixed(3))), [0.9, 0, 0, 0.9]);
  assert.deepEqual(f.rnn.out.W.shape, [H, 1]);
  assert.equal(f.warnings[0].code, 'vanishing_time');
});

test('a feed-forward frame stays feed-forward, with no recurrent parts', () => {
  const f = decodeMessage(encodeMessage({ kind: 'frame', step: 1, columns: [] }, [['layer0.W', [1, 1], [1]]]));
  assert.equal(f.model, 'feedforward');
  assert.equal(f.sequence, null);
  assert.equal(f.rnn, null);
  assert.equal(f.layers.length, 1);
});

test("comparing: run B's recurrent arrays from b/, its sequence header from sequence_b", () => {
  const seqB = { ...SEQ, cell: 'lstm', blocks: ['i', 'f', 'g', 'o'], radius: 1.2 };
  const f = decodeMessage(encodeMessage(header({ compare: { field: 'cell', value: 'lstm' }, sequence_b: seqB }),
    [...recurrentArrays(), ...recurrentArrays('b/', 2)]));
  assert.equal(f.b.model, 'recurrent');
  assert.equal(f.b.sequence.radius, 1.2);
  assert.equal(f.sequence.radius, 0.9);
  assert.equal(Number(f.b.rnn.pred.data[0].toFixed(3)), 0.5);
  assert.equal(Number(f.rnn.pred.data[0].toFixed(3)), 0.25);
  assert.equal(Number(f.b.rnn.cell.Wh.data[0].toFixed(3)), 1.8);
});

// The shape of main.js's table, cut down.
const TABLE = [
  { name: 'stats', run: 'a' },
  { name: 'network', run: 'detail', model: 'feedforward' },
  { name: 'unrolled', run: 'a', model: 'recurrent' },
  { name: 'unrolledB', run: 'b', model: 'recurrent' },
  { name: 'output', run: 'a', view: 'plane' },
  { name: 'sequence', run: 'a', view: 'sequence' },
  { name: 'gradients', run: 'a', tab: 'heatmap', model: 'feedforward' },
  { name: 'timeHeat', run: 'a', tab: 'heatmap', model: 'recurrent' },
  { name: 'warnings', run: 'a' },
];
const drawn = (opts) => paintList(TABLE, opts).map(({ entry, run }) => `${entry.name}:${run}`);

test('a recurrent frame draws the recurrent widgets in place of the feed-forward ones, and back', () => {
  assert.deepEqual(drawn({ view: 'sequence', tab: 'heatmap', compare: false, netRun: 'a', model: 'recurrent' }),
    ['stats:a', 'unrolled:a', 'sequence:a', 'timeHeat:a', 'warnings:a']);
  assert.deepEqual(drawn({ view: 'sequence', tab: 'heatmap', compare: true, netRun: 'a', model: 'recurrent' }),
    ['stats:a', 'unrolled:a', 'unrolledB:b', 'sequence:a', 'timeHeat:a', 'warnings:a']);
  assert.deepEqual(drawn({ view: 'plane', tab: 'heatmap', compare: false, netRun: 'a', model: 'feedforward' }),
    ['stats:a', 'network:a', 'output:a', 'gradients:a', 'warnings:a']);
  assert.deepEqual(drawn({ view: 'plane', tab: 'heatmap', compare: false, netRun: 'a' }),
    ['stats:a', 'network:a', 'output:a', 'gradients:a', 'warnings:a'], 'no model: feed-forward');
});

test("the time heatmap colours log10 ‖∂L/∂h_t‖ on the layer heatmap's scale; zero (truncated) goes dark", () => {
  const logs = heatLogs(Float32Array.from([10 ** LOG_MIN, 10 ** LOG_MAX, 1e-4, 0, 1e-12]));
  const image = { data: new Uint8ClampedArray(4 * 5) };
  paintImage(image, logs, VIRIDIS, LOG_MIN, LOG_MAX);
  const at = (i) => Array.from(image.data.subarray(4 * i, 4 * i + 3));
  const lut = (k) => Array.from(VIRIDIS.subarray(3 * k, 3 * k + 3));
  assert.deepEqual(at(0), lut(0));
  assert.deepEqual(at(1), lut(255));
  const mid = Math.floor(((-4 - LOG_MIN) / (LOG_MAX - LOG_MIN)) * 255);
  assert.deepEqual(at(2), lut(mid));
  assert.deepEqual(at(3), lut(0), 'a step outside the truncation window is as dark as the darkest');
  assert.deepEqual(at(4), lut(0), 'below the scale: clamped');
  assert.equal(logNorm(1e-3), -3);
});

test('the spectral radius in words: the server\'s number, formatted, and what it means', () => {
  assert.equal(radiusWords(SEQ), 'spectral radius of W_h: 0.9 (below 1: gradients shrink through time)');
  assert.equal(radiusWords({ ...SEQ, radius: 1.2345 }),
    'spectral radius of W_h: 1.23 (above 1: gradients can grow through time; saturated units still shrink them)');
  assert.match(radiusWords({ ...SEQ, cell: 'lstm', blocks: ['i', 'f', 'g', 'o'], radius: 0.5 }), /^spectral radius of W_h \(block g\): 0\.5 \(.*forget gate/);
  assert.match(radiusWords({ ...SEQ, cell: 'gru', blocks: ['r', 'u', 'n'], radius: 0.5 }), /block n\): 0\.5 .*update gate/);
  assert.equal(radiusWords({ ...SEQ, radius: undefined }), '');
  assert.equal(windowWords(SEQ), '');
  assert.equal(windowWords({ ...SEQ, length: 50, window: 10 }), 'truncated BPTT: the gradient goes back 10 of 50 steps');
});

test('sequence plot helpers: the predicted class, the value range, the characters that fit', () => {
  assert.equal(argmax(Float32Array.from([0, 0.1, 0.7, 0.2, 0.9, 0.05]), 3, 3), 1);
  assert.deepEqual(valueRange(Float32Array.from([0, 1]), null).map((v) => Number(v.toFixed(3))), [-0.1, 1.1]);
  assert.deepEqual(valueRange(Float32Array.from([2, 2])), [1, 3]);
  assert.deepEqual(valueRange(Float32Array.from([NaN])), [-1, 1]);
  assert.equal(charWindow(200, 30), 170);
  assert.equal(charWindow(20, 30), 0);
});
