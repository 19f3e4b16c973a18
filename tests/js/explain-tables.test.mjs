// The explain stage tables (static/js/explain-tables.js): every number the server sent,
// in its place, side by side and never combined; predict-then-reveal's judge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backwardTable, deltaKey, forwardTable, guessDone, inputNames, judge, lossTable, phases, stagePlace, stageTitle, sub, updateKey,
  updateTable,
} from '../../static/js/explain-tables.js';
import { explanation, read } from './explain-message.mjs';

test('stage titles, phases and names', () => {
  const m = explanation();
  assert.deepEqual(m.stages.map((_, i) => stageTitle(m, i)), ['Forward · hidden layer 1', 'Forward · output layer', 'Loss',
    'Backward · output layer', 'Backward · hidden layer 1', 'Update']);
  assert.deepEqual(phases(m), [{ phase: 'forward', stage: 0 }, { phase: 'loss', stage: 2 }, { phase: 'backward', stage: 3 }, { phase: 'update', stage: 5 }]);
  assert.equal(stagePlace(m, 4), 'hidden layer 1 · 5 of 6');
  assert.equal(stagePlace(m, 2), 'the loss · 3 of 6');
  assert.equal(sub('x', 12), 'x₁₂');
  assert.deepEqual(inputNames(m, 0).names, ['x₁', 'x₂']);
  assert.deepEqual(inputNames(m, 1), { what: 'the outputs of hidden layer 1', names: ['x₁', 'x₂'] });
});

test('forward: each neuron its weights beside its inputs, the bias, z and a = f(z)', () => {
  const m = explanation();
  const t = forwardTable(m, 0);
  assert.deepEqual(t.columns.map((c) => c.key), ['neuron', 'sum', 'z', 'a']);
  assert.equal(t.columns[3].head, 'Tanh: a = tanh(z)');
  assert.equal(t.rows.length, 2);
  const row = t.rows[1];
  // W[i][j] is from input i to neuron j: neuron 2 takes column 1.
  assert.equal(read(row.cells.sum), '{w=-0.4}·{x=0.5} + {w=0.3}·{x=-1.25} + {b=-0.1}');
  assert.equal(read(row.cells.z), '{z=-0.675}');
  assert.equal(read(row.cells.a), 'tanh({z=-0.675}) = {a=-0.588}');
  assert.deepEqual(row.cells.sum[4].pick, [0, 1, 1], 'a click on a weight chooses W[1][1] of layer 0');
  assert.deepEqual(t.inputs.items, [{ name: 'x₁', v: 0.5 }, { name: 'x₂', v: -1.25 }]);
});

test('forward: batch norm, dropout and the skip get their columns', () => {
  const m = explanation();
  Object.assign(m.layers[0], {
    batch_norm: true, z: [0.7, -0.3], mean: [0.26, 0.15], std: [0.4, 0.5],
    z_hat: [1.1, -0.9], gamma: [1.5, 0.5], beta: [0.2, 0], y: [1.85, -0.45], a: [0.9516, -0.4218],
    mask: [2, 0], skip: [0.5, -1.25], out: [2.403, -1.25],
  });
  const t = forwardTable(m, 0);
  assert.deepEqual(t.columns.map((c) => c.key), ['neuron', 'sum', 'z', 'y', 'a', 'out']);
  const [r0, r1] = t.rows;
  assert.equal(read(r0.cells.y), 'ẑ = ({z=0.7} − {mean=0.26}) / {std=0.4} = {z_hat=1.1}; y = {gamma=1.5}·{z_hat=1.1} + {beta=0.2} = {y=1.85}');
  assert.equal(read(r0.cells.a), 'tanh({y=1.85}) = {a=0.9516}', 'with batch norm f takes y');
  assert.equal(read(r0.cells.out), '{a=0.9516}·{mask=2} + {skip=0.5} = {out=2.403}');
  assert.equal(r1.dropped, true);
  assert.match(t.note, /Batch norm/);
  assert.match(t.note, /Dropout/);
  assert.match(t.note, /Residual/);
});

test('loss: prediction, target, the split of dL/dz, the formula with its numbers', () => {
  const m = explanation();
  const t = lossTable(m);
  assert.equal(read(t.rows[0].cells.delta), '{dL_dyhat=-1.585} · {dyhat_dz=0.2328} = {delta=-0.369}');
  assert.equal(read(t.rows[0].cells.prediction), '{prediction=0.6311}');
  assert.equal(t.worked, '−[1·log 0.6311 + 0·log 0.3689]');
  assert.equal(t.value, 0.4603);
  assert.equal(t.batchValue, 0.52);
  m.loss = { ...m.loss, dL_dyhat: null, dyhat_dz: null }; // softmax with cross-entropy
  assert.equal(read(lossTable(m).rows[0].cells.delta), '{prediction=0.6311} − {target=1} = {delta=-0.369}');
});

test('backward: δ = f′(z) · Σ w·δ_next with its numbers, guessed; ∂L/∂w = x·δ held with it', () => {
  const m = explanation();
  const t = backwardTable(m, 0);
  assert.deepEqual(t.columns.map((c) => c.key), ['neuron', 'weighted', 'df', 'delta']);
  const row = t.rows[1];
  // Neuron 2 feeds the output through W_next[1][0] = -0.875.
  assert.equal(read(row.cells.weighted), '{w=-0.875}·{delta_next=-0.4} = {weighted=0.35}');
  assert.deepEqual(row.cells.weighted[0].pick, [1, 1, 0]);
  assert.equal(read(row.cells.delta), '{df=0.654} · {grad_out=0.35} = ?delta=0.2289');
  const guess = row.cells.delta.at(-1);
  assert.equal(guess.guess, deltaKey(m, 0, 1));
  assert.equal(guess.size, 'large');
  assert.equal(read(row.detail.parts), '{x=0.5}·{delta=0.2289} = {dW=0.1145};  {x=-1.25}·{delta=0.2289} = {dW=-0.2861}');
  assert.ok(row.detail.parts.filter((p) => typeof p === 'object').every((p) => p.hold === guess.guess));
  assert.deepEqual(row.detail.parts.at(-1).pick, [0, 1, 1]);
});

test('backward: the output layer takes δ from the loss; batch norm shows dL/dy as a product and δ alone; dropout its mask', () => {
  const m = explanation();
  const out = backwardTable(m, 1);
  assert.equal(read(out.rows[0].cells.delta), '{dL_dyhat=-1.585} · {dyhat_dz=0.2328} = ?delta=-0.4');
  assert.equal(out.rows[0].cells.delta.at(-1).size, null, 'a one-neuron layer has no large or small');
  m.layers[0].mask = [2, 0];
  assert.equal(read(backwardTable(m, 0).rows[0].cells.delta), '{df=0.9994} · {grad_out=-0.2} · {mask=2} = ?delta=-0.1999');
  Object.assign(m.layers[0], { batch_norm: true, dy: [-0.3998, 0.1] });
  const bn = backwardTable(m, 0);
  assert.equal(read(bn.rows[0].cells.delta), '?delta=-0.1999');
  assert.equal(read(bn.rows[0].cells.dy), '{df=0.9994} · {grad_out=-0.2} · {mask=2} = {dy=-0.3998}');
  assert.equal(read(bn.rows[0].detail.parts), '{dW=-0.09995};  {dW=0.2499}', 'no x·δ product under batch norm');
});

test('update: the optimizer lines held until the guess, before + Δw = after', () => {
  const m = explanation();
  const t = updateTable(m);
  assert.equal(t.caption, 'SGD, learning rate 0.1');
  assert.deepEqual(t.rows.map((r) => r.cells.symbol[0]), ['g', 'Δw', 'w']);
  assert.deepEqual(t.rows[1].cells.formula, ['−η·g', { text: '−0.1·0.1167', k: 'numbers', hold: updateKey(m) }]);
  assert.equal(t.rows[1].cells.value[0].hold, updateKey(m));
  assert.deepEqual(t.change.step, { guess: updateKey(m), v: -0.01167, size: 'large', k: 'step' });
  assert.deepEqual(t.change.after, { v: 0.08833, k: 'after', hold: updateKey(m) });
  assert.match(updateTable({ ...m, update: null }).empty, /Click a link/);
});

test('judge: sign and size, each right, wrong or moot', () => {
  assert.deepEqual(judge({ sign: '+', size: 'large' }, 0.3, 'large'), { sign: true, size: true });
  assert.deepEqual(judge({ sign: '+', size: 'small' }, -0.3, 'large'), { sign: false, size: false });
  assert.deepEqual(judge({ sign: '-' }, -0.3, null), { sign: true, size: null });
  assert.deepEqual(judge({ sign: '-' }, 0, null), { sign: null, size: null }, 'a δ of exactly 0 has no sign');
  assert.equal(guessDone({ sign: '+' }, 'large'), false);
  assert.equal(guessDone({ sign: '+', size: 'small' }, 'large'), true);
  assert.equal(guessDone({ sign: '+' }, null), true);
  assert.notEqual(deltaKey(explanation(), 0, 1), deltaKey(explanation({ sample: 2 }), 0, 1), 'a guess is per sample');
});

test('a wide input (an image’s pixels) folds its terms into one part, the bias outside', () => {
  const m = explanation();
  const n = 20;
  Object.assign(m.layers[0], { x: Array(n).fill(0.5), W: Array.from({ length: n }, () => [0.1, 0.2]) });
  m.inputs = Array.from({ length: n }, (_, i) => `pixel ${i + 1}`);
  const sum = forwardTable(m, 0).rows[0].cells.sum;
  assert.equal(sum.length, 3);
  assert.equal(sum[0].fold, '20 terms wᵢ·xᵢ');
  assert.equal(sum[0].parts.filter((p) => p.k === 'w').length, n);
  assert.equal(read(sum.slice(1)), ' + {b=0.05}');
});
