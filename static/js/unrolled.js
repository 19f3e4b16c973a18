// The recurrent network unrolled over its time steps: one column per step, the inputs x_t
// below, the hidden state h_t in the middle (filled by its value), the outputs above (every
// step, or the last only). The same three weight matrices repeat in every column: x→h from
// the cell's W_x, h_{t−1}→h_t from its W_h, h→y from the output layer's W, coloured and sized
// by W, dW or ΔW as the feed-forward diagram's links (network-links.js draws both).
// Long sequences show their first and last steps with the middle left out; big matrices show
// their strongest links only. The drawing says which.

import { Overlay, createCanvas, fitCanvas } from './canvas.js';
import { DIVERGING, cssColor, drawLegend } from './colors.js';
import { fmt, niceCeil } from './format.js';
import { drawLinks, linkStyles } from './network-links.js';
import { MODE_LABEL } from './network.js';
import { argmax, showChar } from './sequence.js';

const LEFT = 76; // band names
const RIGHT = 10;
const TOP = 22; // what is drawn and what is left out
const BOTTOM = 62; // step numbers, legends
const MIN_COL = 24; // px per time step: fewer steps than this allows are windowed
const MAX_PITCH = 18;
const LINK_BUDGET = 6000; // links per weight matrix over all drawn columns
const MAX_PER_STEP = 256;
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
  const size = (p) => Math.max(2, Math.min(14, p * 0.78, colW * 0.36));
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
 * Straight links for layout L, grouped per drawn column and matrix (drawLinks' "layers"),
 * each matrix thinned to its `budget` strongest in `mode`; last: outputs at the last step only.
 * {links, styles, layers, thinned: ["W_h: 200 strongest of 4096", …]}.
 */
export function unrolledLinks(L, m, mode, budget, last) {
  const links = [];
  const styles = [];
  const layers = [];
  const thinned = [];
  const H = L.h.ys.length;
  const plan = [
    ['xh', L.x.ys.length, H, 'W_x', L.x.x], ['hh', H, H, 'W_h', L.colW * 0.5], ['hy', H, L.y.ys.length, 'W', L.y.x],
  ].map(([kind, rows, cols, name, strip]) => {
    const M = m[kind];
    const arr = M[mode];
    const keep = arr ? strongest(arr, rows, cols, M.nOut, M.offset, budget) : null;
    if (keep) thinned.push(`${name}: ${keep.length} strongest of ${rows * cols}`);
    const count = keep ? keep.length : rows * cols;
    const style = { ...linkStyles([1, count], strip)[0], faint: count > FAINT_OVER }; // links are straight (curved: false)
    return { kind, rows, cols, M, keep: keep || Array.from({ length: rows * cols }, (_, i) => i), style };
  });
  const lastT = L.cols[L.cols.length - 1].t;
  L.cols.forEach((col, c) => {
    if (col.t < 0) return;
    const prev = c > 0 && L.cols[c - 1].t >= 0 ? L.cols[c - 1] : null;
    for (const p of plan) {
      if ((p.kind === 'hh' && !prev) || (p.kind === 'hy' && last && col.t !== lastT) || !p.M[mode]) continue;
      const layer = layers.length;
      layers.push(p.M);
      styles.push(p.style);
      for (const i of p.keep) {
        const a = Math.floor(i / p.cols);
        const b = i % p.cols;
        links.push({ layer, a, b: p.M.offset + b, pts: linkEnds(p.kind, L, col, prev, a, b), curved: false });
      }
    }
  });
  return { links, styles, layers, thinned };
}

/** A link's end points [x0, y0, x1, y1]: into an h unit's left edge from below, out of its right edge above. */
function linkEnds(kind, L, col, prev, a, b) {
  const hx = col.x;
  if (kind === 'xh') return [hx - L.x.x, L.x.ys[a], hx - L.h.s / 2, L.h.ys[b]];
  if (kind === 'hy') return [hx + L.h.s / 2, L.h.ys[a], hx + L.y.x, L.y.ys[b]];
  return [prev.x + L.h.s / 2, L.h.ys[a], hx - L.h.s / 2, L.h.ys[b]];
}

export class UnrolledNet {
  constructor(container) {
    this.canvas = createCanvas(container, 'unrolled-canvas');
    this.text = new Overlay(container, 'unrolled-text');
    this.mode = 'W';
    this.label = '';
    this.frame = null;
    this.drawn = null; // what the last paint showed, for the tests: {columns, steps, thinned}
  }

  setMode(mode) { this.mode = mode; this.redraw(); }
  setLabel(label) { this.label = label || ''; this.redraw(); }
  clear() { this.frame = null; this.drawn = null; }
  redraw() { if (this.frame) this.update(this.frame); }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const r = frame.rnn;
    const seq = frame.sequence;
    if (!r || !seq || !r.h || frame.columns.length < 3) { this.text.clear(); return; }
    const [T, H] = r.h.shape;
    const d = frame.columns[0].size;
    const K = frame.columns[2].size;
    const last = seq.readout === 'last';
    const L = unrolledLayout({ T, d, H, K, w, h });
    const m = weightViews(r, seq, H);
    const budget = Math.min(MAX_PER_STEP, Math.max(16, Math.floor(LINK_BUDGET / L.cols.length)));
    const { links, styles, layers, thinned } = unrolledLinks(L, m, this.mode, budget, last);
    const scale = this.scale(m);
    if (layers.length) drawLinks(ctx, links, styles, layers, this.mode, scale, null);
    this.drawUnits(ctx, L, r, frame, last);
    const key = [w, h, T, d, H, K, seq.cell, seq.readout, this.mode, scale, thinned.join(), this.label, !!m.xh[this.mode]].join('|');
    this.text.draw(ctx, key, (c) => this.drawText(c, L, frame, scale, thinned, w, h));
    this.drawn = { columns: L.cols.length, steps: L.cols.filter((c) => c.t >= 0).length, T, thinned };
  }

  /** The links' scale: the largest magnitude of the three matrices, rounded to 1-2-5. */
  scale(m) {
    let top = 0;
    for (const M of [m.xh, m.hh, m.hy]) {
      const arr = M[this.mode];
      if (arr) for (let i = 0; i < arr.length; i++) top = Math.max(top, Math.abs(arr[i]));
    }
    return niceCeil(top);
  }

  drawUnits(ctx, L, r, frame, last) {
    const d = L.x.ys.length;
    const H = L.h.ys.length;
    const K = L.y.ys.length;
    const prob = frame.columns[2].activation !== 'linear';
    const T = r.h.shape[0];
    ctx.strokeStyle = '#555';
    ctx.lineWidth = 1;
    for (const col of L.cols) {
      if (col.t < 0) continue;
      const t = col.t;
      const square = (x, y, s, v) => {
        ctx.fillStyle = cssColor(DIVERGING, v, -1, 1);
        ctx.fillRect(x - s / 2, y - s / 2, s, s);
        if (s >= 6) ctx.strokeRect(x - s / 2 + 0.5, y - s / 2 + 0.5, s - 1, s - 1);
      };
      if (r.x) for (let k = 0; k < d; k++) square(col.x - L.x.x, L.x.ys[k], L.x.s, r.x.data[t * d + k]);
      for (let k = 0; k < H; k++) square(col.x, L.h.ys[k], L.h.s, r.h.data[t * H + k]);
      const at = last ? (t === T - 1 ? 0 : -1) : t;
      if (r.pred && at >= 0) {
        for (let k = 0; k < K; k++) {
          const v = r.pred.data[at * K + k];
          square(col.x + L.y.x, L.y.ys[k], L.y.s, prob ? 2 * v - 1 : v);
        }
      }
    }
  }

  drawText(ctx, L, frame, scale, thinned, w, h) {
    const seq = frame.sequence;
    const T = frame.rnn.h.shape[0];
    ctx.font = '13px system-ui, sans-serif';
    ctx.fillStyle = '#222';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    const band = (ys, name, more) => {
      const y = (ys[0] + ys[ys.length - 1]) / 2;
      ctx.fillText(name, LEFT - 10, more ? y - 8 : y);
      if (more) ctx.fillText(more, LEFT - 10, y + 8);
    };
    band(L.y.ys, 'output', seq.readout === 'last' ? 'last step' : '');
    band(L.h.ys, 'hidden h', seq.cell === 'rnn' ? 'tanh' : seq.cell.toUpperCase());
    band(L.x.ys, 'input x');
    // Step numbers under the columns, as many as fit; the left-out steps said in words.
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const every = Math.max(1, Math.ceil(28 / L.colW));
    const end = L.cols.length - 1; // always numbered; a neighbour too close to it is not
    const alphabet = seq.alphabet;
    L.cols.forEach((col, c) => {
      if (col.t < 0) {
        ctx.fillText('⋯', col.x, L.bottom + 2);
        return;
      }
      if (alphabet && frame.rnn.x) {
        const d = frame.columns[0].size;
        ctx.fillText(showChar(alphabet[argmax(frame.rnn.x.data, col.t * d, d)]), col.x - L.x.x, L.bottom + 2);
      } else if (c === end || (c % every === 0 && end - c >= every)) ctx.fillText(String(col.t + 1), col.x, L.bottom + 2);
    });
    ctx.textAlign = 'left';
    ctx.fillStyle = '#333';
    const gap = L.cols.findIndex((c) => c.t < 0);
    const parts = [];
    if (this.label) parts.push(this.label);
    parts.push(`${T} time steps${alphabet ? ' (characters under the inputs)' : ''}`);
    if (gap >= 0) parts.push(`steps ${L.cols[gap - 1].t + 2}–${L.cols[gap + 1].t} not drawn`);
    if (seq.cell !== 'rnn') parts.push(`links: block ${seq.blocks[candidateBlock(seq.blocks)]} of ${seq.blocks.length}`);
    parts.push(...thinned.map((s) => `${s} per step`));
    let line = parts.join(' · ');
    while (line.length > 8 && ctx.measureText(line).width > w - 8) line = line.slice(0, -2);
    ctx.fillText(line === parts.join(' · ') ? line : `${line.trimEnd()}…`, 4, 4);
    const y = h - 40;
    const half = Math.min(300, (w - 30) / 2);
    drawLegend(ctx, {
      x: 10, y, w: half, h: 34, lut: DIVERGING, lo: -scale, hi: scale,
      title: `links: ${MODE_LABEL[this.mode]}${this.frame.rnn.out[modeName(this.mode, 'W')] ? '' : ' (none yet)'}`,
      ticks: [{ value: -scale, label: fmt(-scale, 2) }, { value: 0, label: '0' }, { value: scale, label: fmt(scale, 2) }],
    });
    const prob = frame.columns[2].activation !== 'linear';
    drawLegend(ctx, {
      x: w - half - 10, y, w: half, h: 34, lut: DIVERGING, lo: -1, hi: 1, title: 'unit value',
      ticks: [{ value: -1, label: '−1' }, { value: 0, label: prob ? '0 (out: .5)' : '0' }, { value: 1, label: '1' }],
    });
  }
}
