// The unrolled recurrent network's geometry (static/js/unrolled-layout.js): its layout, the
// window of time steps it draws, the links it thins and where their template is copied, and
// their colours through the shared link painter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  stepWindow, unrolledLayout, strongest, candidateBlock, modeName, weightViews, unrolledLinks, unitAt, linkAt,
} from '../../static/js/unrolled-layout.js';
import { drawLinks } from '../../static/js/network-links.js';
import { DIVERGING, lutIndex } from '../../static/js/colors.js';

const arr = (data, shape) => ({ data: Float32Array.from(data), shape });

test('every step gets a column while they fit', () => {
  assert.deepEqual(stepWindow(5, 10), [0, 1, 2, 3, 4]);
  assert.deepEqual(stepWindow(10, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('a long sequence keeps its first and last steps, one column standing for the steps left out', () => {
  const w = stepWindow(200, 30);
  assert.equal(w.length, 30);
  assert.equal(w[0], 0, 'the first input stays in view');
  assert.equal(w[w.length - 1], 199, 'the readout stays in view');
  assert.equal(w.filter((t) => t < 0).length, 1);
  const drawn = w.filter((t) => t >= 0);
  for (let i = 1; i < drawn.length; i++) assert.ok(drawn[i] > drawn[i - 1]);
  const gap = w.indexOf(-1);
  assert.ok(w[gap + 1] - w[gap - 1] > 1, 'the gap leaves steps out');
  assert.ok(drawn.length - gap >= gap, 'more of the end (where the gradient starts) than of the start');
});

test('layout: one column per step left to right, outputs above hidden units above inputs, inside the box', () => {
  const L = unrolledLayout({ T: 12, d: 2, H: 16, K: 1, w: 800, h: 400 });
  assert.equal(L.cols.length, 12);
  assert.deepEqual(L.cols.map((c) => c.t), [...Array(12).keys()]);
  for (let i = 1; i < 12; i++) assert.ok(L.cols[i].x > L.cols[i - 1].x);
  assert.ok(L.cols[0].x - L.x.x > 0 && L.cols[11].x + L.y.x < 800);
  assert.equal(L.y.ys.length, 1);
  assert.equal(L.h.ys.length, 16);
  assert.equal(L.x.ys.length, 2);
  assert.ok(Math.max(...L.y.ys) < Math.min(...L.h.ys), 'outputs above the hidden units');
  assert.ok(Math.max(...L.h.ys) < Math.min(...L.x.ys), 'inputs below the hidden units');
  assert.ok(Math.min(...L.y.ys) > 0 && L.bottom < 400);
});

test('layout: 200 steps of 64 units in a narrow box stay inside it, windowed, units at least 2 px', () => {
  const L = unrolledLayout({ T: 200, d: 28, H: 64, K: 28, w: 380, h: 300 });
  assert.ok(L.cols.length < 200 && L.cols.length * 17 <= 380);
  assert.ok(L.cols.some((c) => c.t < 0));
  assert.ok(L.h.s >= 2 && L.x.s >= 2);
  assert.ok(L.bottom < 300);
  const ys = [...L.y.ys, ...L.h.ys, ...L.x.ys];
  for (let i = 1; i < ys.length; i++) assert.ok(ys[i] > ys[i - 1], 'no two units on one spot');
});

test('strongest: the largest magnitudes of a block of a wider matrix, in order; null when all fit', () => {
  // 2 rows × 3 columns read at offset 3 of rows 6 wide (the second of two blocks).
  const data = [9, 9, 9, 0.1, -5, 0.2, 9, 9, 9, 4, 0.3, -0.05];
  assert.deepEqual(strongest(data, 2, 3, 6, 3, 2), [1, 3], 'the -5 and the 4, not the other block\'s 9s');
  assert.equal(strongest(data, 2, 3, 6, 3, 6), null);
});

test('the links show the candidate block of a gated cell, and each mode its own wire array', () => {
  assert.equal(candidateBlock(['h']), 0);
  assert.equal(candidateBlock(['i', 'f', 'g', 'o']), 2);
  assert.equal(candidateBlock(['r', 'u', 'n']), 2);
  assert.equal(modeName('W', 'Wh'), 'Wh');
  assert.equal(modeName('dW', 'Wx'), 'dWx');
  assert.equal(modeName('dW_step', 'Wh'), 'dWh_step');
});

// A 2-step GRU of 1 input, 2 hidden units, 1 output: W_h's candidate block (n) holds the
// values ±0.5, the other blocks 0.9 the links must never show.
function gru() {
  const H = 2;
  const Wh = [0.9, 0.9, 0.9, 0.9, 0.5, -0.5, 0.9, 0.9, 0.9, 0.9, -0.5, 0.5];
  const r = {
    cell: { Wx: arr([0.9, 0.9, 0.9, 0.9, 0.25, -0.25], [1, 3 * H]), Wh: arr(Wh, [H, 3 * H]), dWh: arr(Wh.map((v) => v / 10), [H, 3 * H]) },
    out: { W: arr([1, -1], [H, 1]) },
  };
  return { r, seq: { blocks: ['r', 'u', 'n'] }, H };
}

function recorder() {
  const strokes = [];
  let path = [];
  let at = null;
  const ctx = {
    strokeStyle: '', lineWidth: 1, lineCap: '', globalAlpha: 1,
    beginPath() { path = []; },
    moveTo(x, y) { at = [x, y]; },
    lineTo(x, y) { path.push({ from: at, to: [x, y] }); },
    bezierCurveTo() { throw new Error('unrolled links are straight'); },
    stroke() { strokes.push({ style: ctx.strokeStyle, segments: path }); },
    setLineDash() {},
  };
  return { ctx, strokes };
}

const rgbOf = (v, scale) => {
  const k = (((lutIndex(v, -scale, scale) >> 2) << 2) + 2) * 3;
  return `rgb(${DIVERGING[k]},${DIVERGING[k + 1]},${DIVERGING[k + 2]})`;
};

const groupOf = (groups, kind) => groups.find((g) => g.kind === kind);

test('links: one template per matrix, copied to every column it belongs to, coloured by the shared scale', () => {
  const { r, seq, H } = gru();
  const L = unrolledLayout({ T: 3, d: 1, H, K: 1, w: 400, h: 300 });
  const m = weightViews(r, seq, H);
  const { groups, thinned } = unrolledLinks(L, m, 'W', 256, false);
  assert.deepEqual(thinned, []);
  assert.deepEqual(groups.map((g) => [g.kind, g.links.length, g.at.length]), [['xh', 2, 3], ['hh', 4, 2], ['hy', 2, 3]],
    'per step 2 x→h and 2 h→y links; 4 h→h from the second step on');
  const hh = groupOf(groups, 'hh');
  const steps = hh.at.map((dx) => Math.round(dx / L.colW));
  assert.deepEqual(steps, [0, 1], 'h→h copied into the second and third columns');
  assert.ok(hh.links.every((l) => l.pts[0] < l.pts[2]), 'h_{t-1} → h_t runs left to right');
  assert.ok(hh.links.every((l) => l.pts[0] >= hh.box.x0 && l.pts[2] <= hh.box.x1), 'inside the template');
  assert.ok(groupOf(groups, 'xh').links.every((l) => l.pts[1] > l.pts[3]), 'x_t → h_t runs upward');
  const { ctx, strokes } = recorder();
  for (const g of groups) drawLinks(ctx, g.links, [g.style], [g.M], 'W', 1, null);
  const colours = new Set(strokes.map((s) => s.style));
  // W_h's n block (±0.5), W_x's (±0.25), the output's ±1: never the 0.9 of the other blocks.
  for (const v of [0.5, -0.5, 0.25, -0.25, 1, -1]) assert.ok(colours.has(rgbOf(v, 1)), `a link coloured as ${v}`);
  assert.ok(!colours.has(rgbOf(0.9, 1)), 'no link of another block');
  const neg = strokes.filter((s) => s.style === rgbOf(-0.5, 1)).flatMap((s) => s.segments);
  assert.equal(neg.length, 2, 'W_h[0, n1] and W_h[1, n0]');
});

test('links follow the link mode, and outputs read at the last step only when the task says so', () => {
  const { r, seq, H } = gru();
  const L = unrolledLayout({ T: 3, d: 1, H, K: 1, w: 400, h: 300 });
  const m = weightViews(r, seq, H);
  const grads = unrolledLinks(L, m, 'dW', 256, false).groups;
  assert.deepEqual(grads.map((g) => g.links.length), [0, 4, 0], 'only dW_h was sent: the other matrices have no dW links');
  const hy = groupOf(unrolledLinks(L, m, 'W', 256, true).groups, 'hy');
  assert.deepEqual(hy.at.map((dx) => Math.round(dx / L.colW)), [1], 'h→y at the last step only');
});

test('across the steps left out no h→h links are copied', () => {
  const { r, seq, H } = gru();
  const L = unrolledLayout({ T: 100, d: 1, H, K: 1, w: 400, h: 300 });
  const gap = L.cols.findIndex((c) => c.t < 0);
  const hh = groupOf(unrolledLinks(L, weightViews(r, seq, H), 'W', 256, false).groups, 'hh');
  const into = hh.at.map((dx) => Math.round((hh.links[0].pts[2] + dx - L.cols[0].x) / L.colW));
  assert.ok(!into.includes(gap) && !into.includes(gap + 1), `into columns ${into}, the gap is column ${gap}`);
  assert.equal(hh.at.length, L.cols.length - 3, 'every other column but the first and the two beside the gap');
});

test('a big W_h is thinned to its strongest links, and says so', () => {
  const H = 8;
  const Wh = Array.from({ length: H * H }, (_, i) => (i % 7) / 7 - 0.4);
  const r = { cell: { Wx: arr(Array(H).fill(0.1), [1, H]), Wh: arr(Wh, [H, H]) }, out: { W: arr(Array(H).fill(0.1), [H, 1]) } };
  const L = unrolledLayout({ T: 4, d: 1, H, K: 1, w: 400, h: 300 });
  const m = weightViews(r, { blocks: ['h'] }, H);
  const { groups, thinned } = unrolledLinks(L, m, 'W', 20, false);
  assert.deepEqual(thinned, ['W_h: 20 strongest of 64']);
  const hh = groupOf(groups, 'hh').links;
  assert.equal(hh.length, 20);
  const weakest = Math.min(...hh.map((l) => Math.abs(Wh[l.a * H + l.b])));
  const left = Wh.filter((_, i) => !hh.some((l) => l.a * H + l.b === i)).map(Math.abs);
  assert.ok(left.every((v) => v <= weakest), 'no link left out is stronger than one drawn');
});

test('the unit under the pointer: band, step and index; nothing over a gap or a margin', () => {
  const L = unrolledLayout({ T: 100, d: 2, H: 4, K: 1, w: 500, h: 300 });
  const c = L.cols[L.cols.length - 1];
  assert.deepEqual(unitAt(L, c.x, L.h.ys[2]), { band: 'h', t: 99, k: 2 });
  assert.deepEqual(unitAt(L, c.x - L.x.x, L.x.ys[1]), { band: 'x', t: 99, k: 1 });
  assert.deepEqual(unitAt(L, L.cols[0].x + L.y.x, L.y.ys[0]), { band: 'y', t: 0, k: 0 });
  const gap = L.cols.find((col) => col.t < 0);
  assert.equal(unitAt(L, gap.x, L.h.ys[0]), null);
  assert.equal(unitAt(L, 5, L.h.ys[0]), null);
  assert.equal(unitAt(L, c.x, (L.h.ys[0] + L.y.ys[0]) / 2), null, 'between the bands');
});

test('a click on an h→h link finds W_h\'s entry, in any column it is copied to; elsewhere nothing', () => {
  const { r, seq, H } = gru();
  const L = unrolledLayout({ T: 3, d: 1, H, K: 1, w: 400, h: 300 });
  const { groups } = unrolledLinks(L, weightViews(r, seq, H), 'W', 256, false);
  const hh = groupOf(groups, 'hh');
  const link = hh.links.find((l) => l.a === 1);
  const [x0, y0, x1, y1] = link.pts;
  for (const dx of hh.at) {
    // a quarter along: links of one column cross in the middle
    assert.deepEqual(linkAt(groups, x0 + (x1 - x0) / 4 + dx, y0 + (y1 - y0) / 4), { a: 1, b: link.b }, `column at +${dx}`);
  }
  assert.equal(link.b >= H, true, 'a gated cell\'s link is a column of W_h\'s candidate block');
  assert.equal(linkAt(groups, L.cols[0].x, L.y.ys[0]), null, 'an output unit is no h→h link');
});
