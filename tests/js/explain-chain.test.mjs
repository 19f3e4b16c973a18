// The chain rule and sample-to-batch models (static/js/explain-chain.js) and the diagram's
// marks (static/js/explain-marks.js): the server's numbers in order, nothing recomputed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agreement, batchModel, chainModel, pathParts } from '../../static/js/explain-chain.js';
import { diagramMarks, flatten, linkScale, visibleRows } from '../../static/js/explain-marks.js';
import { explanation, read } from './explain-message.mjs';

test('a path: its factors with names and values, then its product', () => {
  const m = explanation();
  assert.equal(read(pathParts(m.chain.paths[0])), '[∂L/∂z=-0.4] × [w=0.5] × [f′(z)=0.9994] × [x=-1.25] = {product=0.2499}');
  assert.equal(pathParts(m.chain.paths[0])[0].what, 'how the loss changes with the output’s z');
});

test('chain: paths, the gradient and the finite difference with its relative error', () => {
  const c = chainModel(explanation());
  assert.equal(c.title, '∂L/∂w for w[1](2→1)');
  assert.equal(c.rows.length, 1);
  const labels = c.summary.map((s) => s.label);
  assert.deepEqual(labels, ['backpropagation: ∂L/∂w', 'finite difference: (L(w + h) − L(w − h)) / 2h', 'relative error between the two']);
  assert.equal(read(c.summary[1].parts), '({loss_plus=0.4603025} − {loss_minus=0.4602975}) / (2·{h=0.00001}) = {estimate=0.2499}');
  assert.equal(c.summary[2].verdict, 'they agree');
  assert.equal(chainModel(explanation({ chain: null })), null);
});

test('chain: many paths list the rest and the sum', () => {
  const m = explanation();
  m.chain = { ...m.chain, total_paths: 12, rest: { count: 4, sum: 0.001 }, sum: 0.25 };
  const labels = chainModel(m).summary.map((s) => s.label);
  assert.deepEqual(labels.slice(0, 2), ['4 more paths, summed', 'sum over all 12 paths']);
  assert.equal(agreement(0.3), 'they differ: a kink (ReLU at 0) or a too large h');
  assert.equal(agreement(null), '');
});

test('sample to batch: each sample’s gradient, the current one marked, bars to scale, the mean', () => {
  const b = batchModel(explanation());
  assert.deepEqual(b.rows.map((r) => [r.pos, r.index, r.v, r.current]), [[0, 17, 0.12, false], [1, 4, 0.2499, true], [2, 9, -0.0199, false]]);
  assert.equal(b.rows[1].bar, 1);
  assert.ok(Math.abs(b.rows[0].bar - 0.12 / 0.2499) < 1e-12);
  assert.equal(b.mean, 0.1167);
  assert.equal(batchModel(explanation({ update: null })), null);
});

test('marks: the stage’s layer, the rows in view, and ∂L/∂w only where the backward pass has been', () => {
  const m = explanation({ stage: 0 });
  assert.deepEqual(diagramMarks(m, [0, 0]), { phase: 'forward', layer: 0, rows: [0, 0], weight: [0, 1, 0], links: null, explained: m.layers });
  assert.equal(diagramMarks({ ...m, stage: 2 }).layer, 1, 'the loss marks the output layer');
  const back = diagramMarks({ ...m, stage: 3 });
  assert.equal(back.links[0], null, 'the hidden layer is not reached at the output layer');
  assert.deepEqual([...back.links[1].dW], [-0.01, 0.2352]);
  assert.equal(back.links[1].nOut, 1);
  assert.equal(diagramMarks({ ...m, stage: 4 }).links[0].nOut, 2);
  assert.equal(diagramMarks({ ...m, stage: 5 }).layer, 0, 'the update marks the chosen weight’s layer');
  assert.equal(linkScale(diagramMarks({ ...m, stage: 4 }).links), 0.2861);
  assert.deepEqual([...flatten([[1, null], [3, 4]])].map(String), ['1', 'NaN', '3', '4']);
});

test('visible rows: those at least half in view under the sticky header; null when all show', () => {
  const rows = Array.from({ length: 32 }, (_, i) => ({ top: 30 + 40 * i, bottom: 70 + 40 * i }));
  assert.deepEqual(visibleRows(rows, 0, 200, 30), [0, 3]);
  assert.deepEqual(visibleRows(rows, 400, 200, 30), [10, 13]);
  assert.equal(visibleRows(rows.slice(0, 3), 0, 200, 30), null);
  assert.equal(visibleRows([], 0, 100), null);
});
