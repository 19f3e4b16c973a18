// Explain a step through time (static/js/explain-time.js): each stage's table holds the
// message's numbers in their places, the chosen unit's equation is written with its own
// numbers, the shares of the chosen W_h weight become bars, and the diagram marks follow
// the stage. The message: a plain tanh RNN of 2 units over 3 time steps, read at the last,
// made-up numbers (the page shows them, it does not check them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backwardTime, chosenUnit, forwardTime, lossTime, sharesModel, timeChainModel, timeMarks, timeTable,
} from '../../static/js/explain-time.js';
import { phases, stagePlace, stageTitle } from '../../static/js/explain-tables.js';
import { read } from './explain-message.mjs';

function message(over = {}) {
  const step = (t, o) => ({
    t, reached: true, x: [t === 0 ? 1 : 0, -1], h_prev: [0.1 * t, -0.2 * t], z: [0.3, -0.4], h: [0.29 + t, -0.38 - t],
    from_output: [0, 0], recurrent: [0, 0], direct: null, dh: [0, 0], df: [0.9, 0.8], delta: [0, 0], share: 0, ...o,
  });
  return {
    type: 'explanation', on: true, model: 'recurrent', step: 8, sample: 1, batch_size: 4, batch: [11, 5, 7, 2], images: null,
    stage: 3,
    stages: [{ phase: 'forward', layer: null, t: null }, { phase: 'loss', layer: null, t: null },
      { phase: 'backward', layer: null, t: 2 }, { phase: 'backward', layer: null, t: 1 }, { phase: 'backward', layer: null, t: 0 },
      { phase: 'update', layer: null, t: null }],
    inputs: ['sign', 'marker'], cell: 'rnn', blocks: ['h'],
    activation: { name: 'tanh', label: 'Tanh', formula: 'a = tanh(z)', slope: 'f′(z) = 1 − a²' },
    readout: 'last', length: 3, window: 3, Wh: [[0.5, -0.25], [0.75, 0.125]],
    steps: [
      step(0, { recurrent: [0.02, 0.03], dh: [0.02, 0.03], delta: [0.018, 0.024], share: 0 }),
      step(1, { recurrent: [0.1, -0.05], dh: [0.1, -0.05], delta: [0.09, -0.04], share: -0.0036 }),
      step(2, { from_output: [0.4, -0.3], dh: [0.4, -0.3], delta: [0.36, -0.24], share: 0.0072 }),
    ],
    loss: { name: 'bce', label: 'Binary cross-entropy', link: 'ŷ = σ(z)', formula: 'ℓ = −[y·log ŷ + (1 − y)·log(1 − ŷ)]',
      prediction: [0.7], target: [1], worked: '−[1·log 0.7 + 0·log 0.3]', value: 0.3567 },
    weight: [0, 0, 1],
    gradient: { weight: [0, 0, 1], name: 'W_h₁,₂', from: 0, to: 1, block: 'h', value: -0.25, gradient: 0.0036,
      finite_difference: { h: 1e-5, loss_plus: 0.35670004, loss_minus: 0.35669996, estimate: 0.0036, analytic: 0.0036, relative_error: 2e-10 },
      note: null },
    update: { optimizer: 'sgd', label: 'SGD', learning_rate: 0.1, samples: [0.001, 0.0036, -0.002, 0.0004], grad: 0.00075,
      lines: [{ symbol: 'w', formula: 'w + Δw', numbers: '−0.25 + (−0.000075)', value: -0.250075 }],
      before: -0.25, step: -0.000075, after: -0.250075, step_size: 'small', clipped: false },
    ...over,
  };
}

test('stages are named by their time step, and the four phases are found', () => {
  const m = message();
  assert.deepEqual(m.stages.map((_, i) => stageTitle(m, i)),
    ['Forward', 'Loss', 'Backward · time step 3', 'Backward · time step 2', 'Backward · time step 1', 'Update']);
  assert.equal(stagePlace(m, 3), 'time step 2 · 4 of 6');
  assert.deepEqual(phases(m).map((p) => p.stage), [0, 1, 2, 5]);
});

test('forward: every time step a column, the inputs and each unit\'s h_t in it', () => {
  const t = forwardTime(message());
  assert.deepEqual(t.columns.map((c) => c.key), ['unit', 't0', 't1', 't2']);
  assert.equal(read(t.rows[0].cells.t0), '{x=1}');
  assert.equal(read(t.rows[1].cells.t2), '{x=-1}');
  assert.equal(read(t.rows[3].cells.t1), '{h=-1.38}', 'unit 2 at time step 2');
  assert.match(t.note, /tanh\(xₜ W_x \+ hₜ₋₁ W_h \+ b\)/);
});

test('loss: read at the last step, its prediction, target and ℓ with the numbers', () => {
  const t = lossTime(message());
  assert.equal(t.rows.length, 1);
  assert.equal(read(t.rows[0].cells.step), 't = 3');
  assert.equal(read(t.rows[0].cells.prediction), '{prediction=0.7}');
  assert.equal(read(t.lines.find((l) => l.key === 'worked').parts), '= −[1·log 0.7 + 0·log 0.3] = {loss=0.3567}');
  const every = lossTime(message({ readout: 'every', loss: { ...message().loss, prediction: [[0.1], [0.2], [0.7]], target: [[0], [1], [1]] } }));
  assert.deepEqual(every.rows.map((r) => read(r.cells.target)), ['{target=0}', '{target=1}', '{target=1}']);
});

test('backward at step t: per unit the output term, δ_{t+1} W_hᵀ, their sum, f′ and δ_t, each from the message', () => {
  const m = message();
  const t = timeTable(m); // stage 3: time step 2 (t = 1)
  assert.deepEqual(t.columns.map((c) => c.key), ['neuron', 'from_output', 'recurrent', 'dh', 'df', 'delta']);
  assert.equal(t.columns[2].head, 'δ₃ W_hᵀ');
  const row = t.rows[1];
  assert.deepEqual(['from_output', 'recurrent', 'dh', 'df', 'delta'].map((k) => read(row.cells[k])),
    ['{from_output=0}', '{recurrent=-0.05}', '{dh=-0.05}', '{df=0.8}', '?delta=-0.04']);
  assert.equal(chosenUnit(m), 1, 'the chosen weight W_h[0][1] ends at unit 2');
  const [eq, sum, share] = t.lines;
  assert.equal(read(eq.parts), 'δ₂ = f′(z₂) · (δ₃ W_hᵀ + output term) = {df=0.8} · ({recurrent=-0.05} + {from_output=0}) = {delta=-0.04}');
  assert.equal(read(sum.parts), '{delta_next=0.36}·{w=0.75} + {delta_next=-0.24}·{w=0.125} = {recurrent=-0.05}',
    'δ₃ W_hᵀ for unit 2 is Σₖ δ₃,ₖ · W_h[2][k]');
  assert.deepEqual(sum.parts[2].pick, [0, 1, 0], 'a weight in the sum chooses it');
  assert.equal(read(share.parts), '{h_prev=0.1} · {delta=-0.04} = {share=-0.0036}');
});

test('backward at the last step: nothing comes through W_h; without a weight, unit 1 and no share', () => {
  const m = message({ weight: null, gradient: null, update: null });
  const t = backwardTime(m, 2);
  assert.equal(t.columns[2].head, 'δ W_hᵀ (last step: none)');
  assert.equal(t.lines.length, 1);
  assert.match(read(t.lines[0].parts), /^δ₃ = f′\(z₃\) · \(0 \+ output term\) = \{df=0.9\}/);
  assert.equal(sharesModel(m), null);
  assert.equal(timeChainModel(m), null);
});

test('a gated cell: the gate deltas per unit instead of f′ and δ; a GRU\'s direct term in the sum', () => {
  const base = message();
  const gru = message({
    cell: 'gru', blocks: ['r', 'u', 'n'], activation: null,
    steps: base.steps.map((s) => ({ ...s, df: null, direct: [0.01, 0.02], delta: [1, 2, 3, 4, 5, 6] })),
  });
  const t = backwardTime(gru, 1);
  assert.deepEqual(t.columns.map((c) => c.key), ['neuron', 'from_output', 'recurrent', 'direct', 'dh', 'delta0', 'delta1', 'delta2']);
  assert.deepEqual(['delta0', 'delta1', 'delta2'].map((k) => read(t.rows[1].cells[k])), ['{delta=2}', '{delta=4}', '{delta=6}']);
  assert.equal(read(t.lines[0].parts).endsWith('{recurrent=-0.05} + {from_output=0} + {direct=0.02} = {dh=-0.05}'), true);
});

test('the chosen weight: its shares as bars over t, the current step marked, their sum against the finite difference', () => {
  const m = message();
  const s = sharesModel(m);
  assert.deepEqual(s.rows.map((r) => [r.t, r.v, r.bar, r.current, r.stage]),
    [[0, 0, 0, false, 4], [1, -0.0036, 0.5, true, 3], [2, 0.0072, 1, false, 2]]);
  assert.equal(s.sum, 0.0036);
  const c = timeChainModel(m);
  assert.deepEqual(c.summary.map((x) => read(x.parts).split(' = ').pop()),
    ['{gradient=0.0036}', '{estimate=0.0036}', '{relative_error=2e-10}']);
  assert.equal(c.summary[2].verdict, 'they agree');
  const truncated = message({ gradient: { ...m.gradient, note: 'Truncated BPTT: …' } });
  assert.equal(timeChainModel(truncated).summary[1].label, 'full BPTT, over the whole sequence');
});

test('the marks: the stage\'s time step and the chosen link; none outside a recurrent explanation', () => {
  assert.deepEqual(timeMarks(message()), { t: 1, from: 0, to: 1 });
  assert.deepEqual(timeMarks(message({ stage: 0, weight: null, gradient: null })), { t: null, from: null, to: null });
  assert.equal(timeMarks(null), null);
  assert.equal(timeMarks({ stages: [] }), null);
  assert.equal(timeTable(message({ stage: 5 })).id, 'update', 'the update is the feed-forward table, for W_h');
});
