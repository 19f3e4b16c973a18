// The unrolled recurrent network's geometry, without a DOM: which time steps get a column,
// where each unit sits, which links of a big matrix are drawn, and one column's links as
// a template that unrolled.js copies into every column (the same weights repeat there).

import { linkStyles } from './network-links.js';
import { MODE_LABEL } from './network.js';

export const LEFT = 76; // band names
const RIGHT = 10;
const TOP = 22; // what is drawn and what is left out
const BOTTOM = 62; // step numbers, legends
const MIN_COL = 17; // px per time step: more steps than fit at this width are windowed
const MAX_PITCH = 18;
const FAINT_OVER = 48; // a matrix with more links than this per step is drawn faint: the units stay readable

/**
 * Which time steps get a column: all when T fit in maxCols, else the first third and the
 * last two thirds of the room with one column (-1) for the steps left out between them:
 * the first input and the readout both stay in view.
 */
export function stepWindow(T, maxCols) {
  if (T <= maxCols) return Array.from({ length: T }, (_, t) => t);
  const room = Math.max(2, maxCols - 1);
  const head = Math.max(1, Math.floor(room / 3));
  const tail = room - head;
  return [...Array.from({ length: head }, (_, t) => t), -1, ...Array.from({ length: tail }, (_, i) => T - tail + i)];
}

/** The index of the candidate block (W_h's block whose radius the server reports). */
export function candidateBlock(blocks) {
  const i = (blocks || []).findIndex((b) => b === 'h' || b === 'g' || b === 'n');
  return i < 0 ? 0 : i;
}

/**
 * Node positions for T steps of d inputs, H hidden units and K outputs in a w×h box:
 * {cols: [{t, x}], x: {x, ys, s}, h: {ys, s}, y: {x, ys, s}} where a column's inputs sit at
 * its x − x.x, outputs at its x + y.x (so links fan out instead of lying on one line).
 */
export function unrolledLayout({ T, d, H, K, w, h }) {
  const span = Math.max(MIN_COL, w - LEFT - RIGHT);
  const steps = stepWindow(T, Math.max(2, Math.floor(span / MIN_COL)));
  const colW = span / steps.length;
  const cols = steps.map((t, c) => ({ t, x: LEFT + (c + 0.5) * colW }));
  const avail = Math.max(60, h - TOP - BOTTOM);
  const gap = Math.min(56, Math.max(16, avail * 0.12));
  const room = avail - 2 * gap;
  const pIO = Math.min(MAX_PITCH, (room * 0.22) / Math.max(K, d, 1));
  const pH = Math.min(MAX_PITCH, (room - pIO * (K + d)) / Math.max(1, H));
  const used = pIO * (K + d) + pH * H + 2 * gap;
  const top = TOP + Math.max(0, (avail - used) / 2);
  const ys = (n, p, from) => Array.from({ length: n }, (_, k) => from + (k + 0.5) * p);
  const size = (p) => Math.max(2, Math.min(14, p * 0.78, colW * 0.4));
  const off = Math.min(colW * 0.3, 16);
  const yTop = top;
  const hTop = yTop + K * pIO + gap;
  const xTop = hTop + H * pH + gap;
  return {
    cols, colW, bottom: xTop + d * pIO,
    y: { x: off, ys: ys(K, pIO, yTop), s: size(pIO) },
    h: { ys: ys(H, pH, hTop), s: size(pH) },
    x: { x: off, ys: ys(d, pIO, xTop), s: size(pIO) },
  };
}

/**
 * The `budget` largest |values| of a rows×cols block of a row-major matrix (row stride
 * `stride`, first column `offset`), as row*cols + col indices in order; null: all of them.
 */
export function strongest(data, rows, cols, stride, offset, budget) {
  const n = rows * cols;
  if (n <= budget) return null;
  const mags = new Float32Array(n);
  for (let a = 0; a < rows; a++) for (let b = 0; b < cols; b++) mags[a * cols + b] = Math.abs(data[a * stride + offset + b]);
  const cut = Float32Array.from(mags).sort()[n - budget];
  // All above the cut, then as many of those equal to it as the budget still takes.
  let ties = budget;
  for (let i = 0; i < n; i++) if (mags[i] > cut) ties--;
  const keep = [];
  for (let i = 0; i < n; i++) if (mags[i] > cut || (mags[i] === cut && ties-- > 0)) keep.push(i);
  return keep;
}

/** Wire name of matrix `base` (W, Wx, Wh) in link mode `mode` (W, dW, dW_step). */
export function modeName(mode, base) {
  return mode.replace('W', base);
}

/**
 * The three weight matrices as drawLinks reads a layer: {W, dW, dW_step (the data of each
 * mode sent), nOut: row stride, offset: first column}. The cell's x→h and h→h links show the
 * candidate block of a gated cell's G blocks.
 */
export function weightViews(r, seq, H) {
  const g = candidateBlock(seq.blocks);
  const pick = (layer, base, offset) => {
    const out = { nOut: 0, offset };
    for (const mode of Object.keys(MODE_LABEL)) {
      const arr = layer[modeName(mode, base)];
      if (arr) { out[mode] = arr.data; out.nOut = arr.shape[1]; }
    }
    return out;
  };
  return { xh: pick(r.cell, 'Wx', g * H), hh: pick(r.cell, 'Wh', g * H), hy: pick(r.out, 'W', 0) };
}

/**
 * One column's links per matrix, as templates: [{kind, M, style, links, box, at}] for x→h
 * (W_x), h_{t−1}→h_t (W_h) and h→y (W), in that order. links: drawLinks' links (layer 0) at the
 * reference column; box: their extent {x0, x1, y0, y1}, room left for the widest caps; at: the
 * x offset of every column the template is copied to (h→h: columns after a drawn step;
 * h→y: every column, or the last only when `last`). Each matrix keeps its `budget` strongest
 * links in `mode` (thinned: "W_h: 256 strongest of 4096").
 */
export function unrolledLinks(L, m, mode, budget, last) {
  const thinned = [];
  const H = L.h.ys.length;
  const drawn = L.cols.filter((c) => c.t >= 0);
  const paired = L.cols.filter((c, i) => c.t >= 0 && i > 0 && L.cols[i - 1].t >= 0);
  const ref = paired[0] || drawn[0];
  const prevX = ref.x - L.colW;
  const groups = [
    ['xh', L.x.ys.length, H, 'W_x', L.x.x, drawn],
    ['hh', H, H, 'W_h', L.colW * 0.5, paired],
    ['hy', H, L.y.ys.length, 'W', L.y.x, last ? drawn.slice(-1) : drawn],
  ].map(([kind, rows, cols, name, strip, where]) => {
    const M = m[kind];
    const arr = M[mode];
    const keep = arr ? strongest(arr, rows, cols, M.nOut, M.offset, budget) : null;
    if (keep) thinned.push(`${name}: ${keep.length} strongest of ${rows * cols}`);
    const count = keep ? keep.length : rows * cols;
    const style = { ...linkStyles([1, count], strip)[0], faint: count > FAINT_OVER }; // links are straight (curved: false)
    const links = [];
    if (arr) {
      for (const i of keep || Array.from({ length: count }, (_, j) => j)) {
        const a = Math.floor(i / cols);
        const b = i % cols;
        links.push({ layer: 0, a, b: M.offset + b, pts: linkEnds(kind, L, ref.x, prevX, a, b), curved: false });
      }
    }
    const pad = style.widest + 1;
    const xs = links.flatMap((l) => [l.pts[0], l.pts[2]]);
    const ys = links.flatMap((l) => [l.pts[1], l.pts[3]]);
    const box = { x0: Math.min(...xs, ref.x) - pad, x1: Math.max(...xs, ref.x) + pad, y0: Math.min(...ys, 0) - pad, y1: Math.max(...ys, 0) + pad };
    return { kind, M, style, links, box, at: where.map((c) => c.x - ref.x) };
  });
  return { groups, thinned };
}

/** A link's end points [x0, y0, x1, y1]: into an h unit's left edge from below, out of its right edge above. */
function linkEnds(kind, L, x, prevX, a, b) {
  if (kind === 'xh') return [x - L.x.x, L.x.ys[a], x - L.h.s / 2, L.h.ys[b]];
  if (kind === 'hy') return [x + L.h.s / 2, L.h.ys[a], x + L.y.x, L.y.ys[b]];
  return [prevX + L.h.s / 2, L.h.ys[a], x - L.h.s / 2, L.h.ys[b]];
}

/** The unit under (mx, my): {band: 'x' | 'h' | 'y', t, k}, or null (a gap, a link, the margins). */
export function unitAt(L, mx, my) {
  const bands = [['x', -L.x.x, L.x], ['h', 0, L.h], ['y', L.y.x, L.y]];
  for (const col of L.cols) {
    if (col.t < 0 || Math.abs(mx - col.x) > L.colW / 2) continue;
    for (const [band, dx, B] of bands) {
      if (Math.abs(mx - (col.x + dx)) > B.s / 2 + 2) continue;
      const k = B.ys.findIndex((y) => Math.abs(my - y) <= Math.max(B.s / 2 + 1, 2));
      if (k >= 0) return { band, t: col.t, k };
    }
  }
  return null;
}

/**
 * The drawn h_{t−1}→h_t link nearest (mx, my), within `reach` px: {a, b} (W_h's row and
 * column), or null. groups: unrolledLinks' groups, whose templates sit at each column of `at`.
 */
export function linkAt(groups, mx, my, reach = 5) {
  const g = groups.find((x) => x.kind === 'hh');
  let best = null;
  let bestD = reach;
  if (!g) return null;
  for (const dx of g.at) {
    for (const l of g.links) {
      const [x0, y0, x1, y1] = l.pts;
      const d = segmentDistance(mx - dx, my, x0, y0, x1, y1);
      if (d <= bestD) { bestD = d; best = { a: l.a, b: l.b }; }
    }
  }
  return best;
}

function segmentDistance(px, py, x0, y0, x1, y1) {
  const vx = x1 - x0;
  const vy = y1 - y0;
  const len = vx * vx + vy * vy;
  const s = len ? Math.max(0, Math.min(1, ((px - x0) * vx + (py - y0) * vy) / len)) : 0;
  return Math.hypot(px - x0 - s * vx, py - y0 - s * vy);
}
