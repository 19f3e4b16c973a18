// The recurrent network unrolled over its time steps: one column per step, the inputs x_t
// below, the hidden state h_t in the middle (filled by its value), the outputs above (every
// step, or the last only). The same three weight matrices repeat in every column: x→h from
// the cell's W_x, h_{t−1}→h_t from its W_h, h→y from the output layer's W, coloured and sized
// by W, dW or ΔW as the feed-forward diagram's links (network-links.js draws both). Each
// matrix's links are drawn once per paint and copied into every column. Long sequences show
// their first and last steps with the middle left out; big matrices their strongest links
// only; the drawing says which. Geometry: unrolled-layout.js. In "Explain a step" the
// stage's time step is a highlighted column and the chosen W_h link is drawn over the others;
// a click on an h→h link chooses it (onPick([0, i, j])).

import { Overlay, createCanvas, fitCanvas, pointerAt } from './canvas.js';
import { DIVERGING, cssColor, drawLegend, lutIndex } from './colors.js';
import { fmt, niceCeil } from './format.js';
import { drawLinks } from './network-links.js';
import { MODE_LABEL } from './network.js';
import { argmax, showChar } from './sequence.js';
import { LEFT, candidateBlock, linkAt, modeName, unitAt, unrolledLayout, unrolledLinks, weightViews } from './unrolled-layout.js';

const MAX_PER_STEP = 256; // links per matrix and step: more are thinned to the strongest
const BINS = 64; // unit colours: one fill per colour bin, not one per unit
const MARK = '#6a1b9a'; // explain mode's colour (main.css)
const BIN_CSS = Array.from({ length: BINS }, (_, b) => cssColor(DIVERGING, ((b + 0.5) / BINS) * 2 - 1, -1, 1));

export class UnrolledNet {
  constructor(container, { tooltip = null } = {}) {
    this.canvas = createCanvas(container, 'unrolled-canvas');
    this.tooltip = tooltip;
    this.layout = null;
    this.canvas.addEventListener('mousemove', (e) => this.onMove(e));
    this.canvas.addEventListener('mouseleave', () => this.tooltip?.hide());
    this.canvas.addEventListener('click', (e) => this.onClick(e));
    this.onPick = null; // set by explain mode: a click on an h→h link picks [0, i, j]
    this.marks = null; // explain mode's {t, from, to}, or null
    this.text = new Overlay(container, 'unrolled-text');
    this.mode = 'W';
    this.label = '';
    this.frame = null;
    this.drawn = null; // what the last paint showed, for the tests: {columns, steps, thinned}
    this.templates = []; // a canvas per matrix: its links at one column, copied into the others
  }

  setMode(mode) { this.mode = mode; this.redraw(); }
  setExplain(marks) {
    const same = JSON.stringify(marks) === JSON.stringify(this.marks);
    this.marks = marks;
    if (!same) this.redraw();
  }
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
    const L = (this.layout = unrolledLayout({ T, d, H, K, w, h }));
    const m = weightViews(r, seq, H);
    const { groups, thinned } = unrolledLinks(L, m, this.mode, MAX_PER_STEP, last);
    const scale = this.scale(m);
    this.groups = groups;
    const marked = this.drawBand(ctx, L);
    groups.forEach((g, i) => this.drawGroup(ctx, i, g, scale));
    this.drawChosen(ctx, L);
    this.drawUnits(ctx, L, r, frame, last);
    const key = [w, h, T, d, H, K, seq.cell, frame.columns[1].activation, seq.readout, this.mode, scale, thinned.join(), this.label, !!m.xh[this.mode]].join('|');
    this.text.draw(ctx, key, (c) => this.drawText(c, L, frame, scale, thinned, w, h));
    const links = groups.reduce((n, g) => n + g.links.length * g.at.length, 0);
    this.drawn = { columns: L.cols.length, steps: L.cols.filter((c) => c.t >= 0).length, T, thinned, mode: this.mode, links, cell: this.cellLabel, marked };
  }

  /** Explain mode: the stage's time step as a tinted, framed column; returns that column's {t, x}, or null. */
  drawBand(ctx, L) {
    const t = this.marks ? this.marks.t : null;
    const col = t === null ? null : L.cols.find((c) => c.t === t);
    if (!col) return null;
    const top = L.y.ys[0] - L.y.s;
    const bottom = L.bottom + 16; // the step numbers under the column too
    ctx.fillStyle = 'rgba(106, 27, 154, 0.13)';
    ctx.fillRect(col.x - L.colW / 2, top, L.colW, bottom - top);
    ctx.strokeStyle = MARK;
    ctx.lineWidth = 2;
    ctx.strokeRect(col.x - L.colW / 2 + 1, top, L.colW - 2, bottom - top);
    return { t, x: col.x };
  }

  /** Explain mode: the chosen W_h link, into the stage's step (or into every drawn step outside backward). */
  drawChosen(ctx, L) {
    const k = this.marks;
    if (!k || k.from === null) return;
    ctx.strokeStyle = MARK;
    ctx.lineWidth = 3;
    ctx.beginPath();
    L.cols.forEach((col, c) => {
      const prev = L.cols[c - 1];
      if (!prev || col.t < 0 || prev.t !== col.t - 1 || (k.t !== null && col.t !== k.t)) return;
      ctx.moveTo(prev.x + L.h.s / 2, L.h.ys[k.from]);
      ctx.lineTo(col.x - L.h.s / 2, L.h.ys[k.to]);
    });
    ctx.stroke();
  }

  onClick(e) {
    if (!this.onPick || !this.layout || !this.groups) return;
    const p = pointerAt(this.canvas, e);
    const hit = linkAt(this.groups, p.x, p.y);
    if (hit) this.onPick([0, hit.a, hit.b]);
  }

  /** Hovering a unit: its value at that step (an h unit: also ‖∂L/∂h_t‖ of the last batch). */
  onMove(e) {
    const f = this.frame;
    const u = this.layout && f && f.rnn && unitAt(this.layout, pointerAt(this.canvas, e).x, pointerAt(this.canvas, e).y);
    if (!u || !this.tooltip) { this.tooltip?.hide(); return; }
    const r = f.rnn;
    const at = (arr, t, k) => (arr ? arr.data[t * arr.shape[arr.shape.length - 1] + k] : null);
    const rows = [];
    let title;
    if (u.band === 'x') {
      const names = f.columns[0].labels;
      title = `input ${names ? names[u.k] : u.k + 1} at step ${u.t + 1}`;
      rows.push(['value', fmt(at(r.x, u.t, u.k))]);
    } else if (u.band === 'h') {
      title = `hidden unit ${u.k + 1} at step ${u.t + 1}`;
      rows.push(['h', fmt(at(r.h, u.t, u.k))]);
      if (r.dhNorm) rows.push(['‖∂L/∂h_t‖, last batch', fmt(r.dhNorm.data[u.t])]);
    } else {
      const t = f.sequence.readout === 'last' ? 0 : u.t;
      title = `output ${u.k + 1} at step ${u.t + 1}`;
      rows.push(['prediction', fmt(at(r.pred, t, u.k))], ['target', fmt(at(r.y, t, u.k))]);
    }
    this.tooltip.show(e.clientX, e.clientY, title, rows);
  }

  /** A matrix's links drawn once at the reference column, then copied to every column of `g.at`. */
  drawGroup(ctx, i, g, scale) {
    if (!g.links.length || !g.at.length) return;
    const k = ctx.getTransform().a; // device pixels per drawing unit
    const c = (this.templates[i] ??= document.createElement('canvas'));
    const { x0, x1, y0, y1 } = g.box;
    const W = Math.max(1, Math.ceil((x1 - x0) * k));
    const H = Math.max(1, Math.ceil((y1 - y0) * k));
    if (c.width !== W || c.height !== H) { c.width = W; c.height = H; }
    const t = c.getContext('2d');
    t.setTransform(1, 0, 0, 1, 0, 0);
    t.clearRect(0, 0, W, H);
    t.setTransform(k, 0, 0, k, -Math.round(x0 * k), -Math.round(y0 * k));
    drawLinks(t, g.links, [g.style], [g.M], this.mode, scale, null);
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    for (const dx of g.at) ctx.drawImage(c, Math.round(x0 * k) + Math.round(dx * k), Math.round(y0 * k));
    ctx.restore();
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

  /** Every unit a square filled by its value on the diverging scale (outputs: 2p − 1), one path per colour. */
  drawUnits(ctx, L, r, frame, last) {
    const d = L.x.ys.length;
    const H = L.h.ys.length;
    const K = L.y.ys.length;
    const prob = frame.columns[2].activation !== 'linear';
    const T = r.h.shape[0];
    const bins = Array.from({ length: BINS }, () => []);
    const edges = [];
    const square = (x, y, s, v) => {
      bins[lutIndex(v, -1, 1) >> 2].push(x - s / 2, y - s / 2, s);
      if (s >= 6) edges.push(x - s / 2 + 0.5, y - s / 2 + 0.5, s - 1);
    };
    for (const col of L.cols) {
      const t = col.t;
      if (t < 0) continue;
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
    bins.forEach((q, b) => {
      if (!q.length) return;
      ctx.fillStyle = BIN_CSS[b];
      ctx.beginPath();
      for (let i = 0; i < q.length; i += 3) ctx.rect(q[i], q[i + 1], q[i + 2], q[i + 2]);
      ctx.fill();
    });
    ctx.strokeStyle = '#555';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i < edges.length; i += 3) ctx.rect(edges[i], edges[i + 1], edges[i + 2], edges[i + 2]);
    ctx.stroke();
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
      const two = more && ys[ys.length - 1] - ys[0] >= 12; // a second line only where the band has room
      ctx.fillText(name, LEFT - 10, two ? y - 8 : y);
      if (two) ctx.fillText(more, LEFT - 10, y + 8);
    };
    band(L.y.ys, 'output', seq.readout === 'last' ? 'last step' : '');
    this.cellLabel = seq.cell === 'rnn' ? frame.columns[1].activation : seq.cell.toUpperCase();
    band(L.h.ys, 'hidden h', this.cellLabel);
    band(L.x.ys, 'input x');
    // Step numbers under the columns, as many as fit; the left-out steps said in words.
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const every = Math.max(1, Math.ceil(28 / L.colW));
    const end = L.cols.length - 1; // always numbered; a neighbour too close to it is not
    const gapAt = L.cols.findIndex((col) => col.t < 0); // its neighbours give its ⋯ room when columns are narrow
    const alphabet = seq.alphabet;
    L.cols.forEach((col, c) => {
      if (col.t < 0) {
        ctx.fillText('⋯', col.x, L.bottom + 2);
        return;
      }
      if (alphabet && frame.rnn.x) {
        const d = frame.columns[0].size;
        ctx.fillText(showChar(alphabet[argmax(frame.rnn.x.data, col.t * d, d)]), col.x - L.x.x, L.bottom + 2);
      } else if (c === end || (c % every === 0 && end - c >= every && (every === 1 || Math.abs(c - gapAt) > 1))) ctx.fillText(String(col.t + 1), col.x, L.bottom + 2);
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
