// The sequence plot of a recurrent run: the shown sequence's inputs seq.x over its time
// steps, the target seq.y and the network's prediction seq.pred (at every step, or only at
// the end when the task reads the last step). The chars task is drawn as text: the input
// characters, the next character to predict and the one the network predicts.

import { createCanvas, fitCanvas } from './canvas.js';
import { classColor } from './colors.js';
import { fmt, niceCeil } from './format.js';

const M = { left: 40, right: 12, top: 22, bottom: 46 };
const TARGET = '#1d6fb8';
const PRED = '#111418';
const INPUTS = ['#8a929c', '#c9510c', '#6b4f9a', '#2e7d32'];
const CHAR_W = 11; // px per character column at least
const RIGHT_CHAR = '#0072b2'; // Okabe–Ito blue and vermillion: right and wrong predictions
const WRONG_CHAR = '#d55e00';

/** Index of the largest of data[offset .. offset + n). */
export function argmax(data, offset, n) {
  let best = 0;
  for (let k = 1; k < n; k++) if (data[offset + k] > data[offset + best]) best = k;
  return best;
}

/** [lo, hi] over the given arrays' finite values, padded by 10%; [-1, 1] when empty or flat. */
export function valueRange(...arrays) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    if (!a) continue;
    for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) { lo = Math.min(lo, a[i]); hi = Math.max(hi, a[i]); }
  }
  if (!(hi > lo)) return Number.isFinite(lo) ? [lo - 1, lo + 1] : [-1, 1];
  const pad = 0.1 * (hi - lo);
  return [lo - pad, hi + pad];
}

/** The time steps shown as characters: the last ones that fit, [first, T). */
export function charWindow(T, maxChars) {
  return Math.max(0, T - Math.max(1, maxChars));
}

export class SequencePlot {
  constructor(container) {
    this.canvas = createCanvas(container, 'sequence-canvas');
    this.frame = null;
    this.ariaLabel = '';
  }
  redraw() { if (this.frame) this.update(this.frame); }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const r = frame.rnn;
    const seq = frame.sequence;
    if (!r || !seq || !r.x || !r.y) return;
    const T = r.x.shape[0];
    if (seq.alphabet) this.drawChars(ctx, r, seq, T, w, h);
    else this.drawValues(ctx, frame, r, seq, T, w, h);
    this.title(ctx, seq, w);
  }

  title(ctx, seq, w) {
    ctx.font = '13px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillStyle = '#222';
    const what = seq.readout === 'last' ? 'read at the last step' : 'read at every step';
    const text = `one test sequence, ${what}`; // comparing: the output panel names the run above
    ctx.fillText(fitText(ctx, text, w - 8), 4, 3);
    if (text !== this.ariaLabel) this.canvas.setAttribute('aria-label', (this.ariaLabel = text));
  }

  drawValues(ctx, frame, r, seq, T, w, h) {
    const d = r.x.shape[1] || 1;
    const K = frame.columns[2] ? frame.columns[2].size : 1;
    const pw = Math.max(20, w - M.left - M.right);
    const ph = Math.max(20, h - M.top - M.bottom);
    const [ymin, ymax] = valueRange(r.x.data, r.y.data);
    const X = (t) => M.left + ((t + 0.5) / T) * pw; // half a step's room at each end for the marks
    const Y = (v) => M.top + ((ymax - v) / (ymax - ymin)) * ph;
    axes(ctx, T, ymin, ymax, X, Y, pw, ph);
    ctx.save();
    ctx.beginPath();
    ctx.rect(M.left, M.top, pw, ph);
    ctx.clip();
    for (let k = 0; k < d; k++) {
      line(ctx, T, (t) => r.x.data[t * d + k], X, Y, INPUTS[k % INPUTS.length], 1.5, true);
    }
    const colour = (k) => (K > 1 ? classColor(k) : null);
    if (seq.readout === 'last') {
      for (let k = 0; k < K; k++) {
        dot(ctx, X(T - 1), Y(r.y.data[k]), 6, colour(k) || TARGET, true);
        if (r.pred) dot(ctx, X(T - 1), Y(r.pred.data[k]), 7, colour(k) || PRED, false);
      }
    } else {
      for (let k = 0; k < K; k++) {
        const rDot = Math.max(1.5, Math.min(3.2, (0.4 * pw) / T)); // long sequences: smaller dots, still apart
        for (let t = 0; t < T; t++) dot(ctx, X(t), Y(r.y.data[t * K + k]), rDot, colour(k) || TARGET, true);
        if (r.pred) line(ctx, T, (t) => r.pred.data[t * K + k], X, Y, colour(k) || PRED, 2.5, false);
      }
    }
    ctx.restore();
    this.key(ctx, frame, seq, d, h - 10, w);
    if (seq.readout === 'last' && r.pred) {
      // The two numbers at the top left, on white: the marks they name sit at the right edge.
      ctx.font = 'bold 13px system-ui, sans-serif';
      const y = fmt(r.y.data[0], 3);
      const p = fmt(r.pred.data[0], 3);
      const texts = [`target ${y} · prediction ${p}`, `target ${y} · pred. ${p}`, `target ${y} · ŷ ${p}`, `y ${y} · ŷ ${p}`];
      const text = texts.find((t) => ctx.measureText(t).width <= pw - 10) || texts[3];
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(M.left + 2, M.top + 2, Math.min(pw - 4, ctx.measureText(text).width + 6), 17);
      ctx.fillStyle = '#111';
      ctx.fillText(fitText(ctx, text, pw - 8), M.left + 5, M.top + 4);
    }
  }

  /** Which mark is which: the inputs by name, target dots, prediction line or ring. */
  key(ctx, frame, seq, d, y, w) {
    const names = (frame.columns[0] && frame.columns[0].labels) || [];
    ctx.font = '13px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    let x = M.left;
    let full = false;
    const item = (draw, label) => {
      if (full || x + 18 + ctx.measureText(label).width > w) { full = true; return; }
      draw(x + 7);
      ctx.fillStyle = '#222';
      ctx.fillText(label, x + 18, y);
      x += 18 + ctx.measureText(label).width + 14;
    };
    // Target and prediction first: where the key is short of room, the inputs' names give way.
    item((px) => dot(ctx, px, y, 4, TARGET, true), 'target');
    item((px) => {
      if (seq.readout === 'last') dot(ctx, px, y, 6, PRED, false);
      else { ctx.strokeStyle = PRED; ctx.lineWidth = 3; seg(ctx, px, y); }
    }, 'prediction');
    for (let k = 0; k < Math.min(d, INPUTS.length); k++) {
      item((px) => { ctx.strokeStyle = INPUTS[k]; ctx.lineWidth = 2; ctx.setLineDash([4, 3]); seg(ctx, px, y); ctx.setLineDash([]); }, names[k] || `input ${k + 1}`);
    }
  }

  /** The chars task: three rows of characters per time step, the last ones that fit. */
  drawChars(ctx, r, seq, T, w, h) {
    const A = seq.alphabet;
    const d = r.x.shape[1];
    const K = r.pred ? r.pred.shape[r.pred.shape.length - 1] : d;
    const every = seq.readout !== 'last';
    const x0 = Math.max(M.left + 28, 76); // after the row names
    const cw = Math.max(CHAR_W, Math.min(22, (w - x0 - 4) / T));
    const first = charWindow(T, Math.floor((w - x0 - 4) / cw));
    const rowH = Math.min(34, (h - M.top - 30) / 4);
    const font = `${Math.max(12, Math.min(20, rowH * 0.6, cw * 1.1))}px ui-monospace, monospace`;
    const rows = ['input', 'target', 'predicted', 'p(target)'];
    ctx.font = '13px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#333';
    const y0 = M.top + 8;
    rows.forEach((name, i) => ctx.fillText(name, 4, y0 + (i + 0.5) * rowH));
    ctx.textAlign = 'center';
    for (let t = first; t < T; t++) {
      const x = x0 + (t - first + 0.5) * cw;
      if (x > w - 4) break;
      ctx.font = font;
      ctx.fillStyle = '#222';
      ctx.fillText(showChar(A[argmax(r.x.data, t * d, d)]), x, y0 + 0.5 * rowH);
      const at = every ? t : t === T - 1 ? 0 : -1;
      if (at < 0) continue;
      const want = argmax(r.y.data, at * K, K);
      ctx.fillStyle = TARGET;
      ctx.fillText(showChar(A[want]), x, y0 + 1.5 * rowH);
      if (!r.pred) continue;
      const got = argmax(r.pred.data, at * K, K);
      ctx.fillStyle = got === want ? RIGHT_CHAR : WRONG_CHAR;
      ctx.fillText(showChar(A[got]), x, y0 + 2.5 * rowH);
      if (got !== want) ctx.fillRect(x - cw * 0.35, y0 + 3 * rowH - 4, cw * 0.7, 2); // wrong: underlined too
      const p = r.pred.data[at * K + want];
      const bh = Math.max(1, p * (rowH - 6));
      ctx.fillStyle = TARGET;
      ctx.fillRect(x - cw * 0.3, y0 + 4 * rowH - 3 - bh, cw * 0.6, bh);
    }
    ctx.font = '13px system-ui, sans-serif';
    ctx.fillStyle = '#333';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    const shown = first > 0 ? `last ${T - first} of ${T} characters` : `${T} characters`;
    ctx.fillText(fitText(ctx, `${shown} · predicted: blue right, orange underlined wrong; bars: p(target)`, w - 8), 4, y0 + 4 * rowH + 6);
  }
}

/** A character as a label: space and newline made visible. */
export function showChar(c) {
  return c === ' ' ? '␣' : c === '\n' ? '⏎' : c ?? '?';
}

function fitText(ctx, text, room) {
  if (ctx.measureText(text).width <= room) return text;
  let s = text;
  while (s.length > 4 && ctx.measureText(s + '…').width > room) s = s.slice(0, -1);
  return s + '…';
}

function axes(ctx, T, ymin, ymax, X, Y, pw, ph) {
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = '#333';
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const tStep = niceCeil(Math.max(1, (T - 1) / 8));
  for (let t = 0; t < T; t += tStep) {
    const x = Math.round(X(t)) + 0.5;
    ctx.strokeStyle = '#e3e6ea';
    ctx.beginPath(); ctx.moveTo(x, M.top); ctx.lineTo(x, M.top + ph); ctx.stroke();
    ctx.fillText(String(t + 1), x, M.top + ph + 3);
  }
  const yStep = niceCeil((ymax - ymin) / 5);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let v = Math.ceil(ymin / yStep) * yStep; v <= ymax + 1e-9; v += yStep) {
    const y = Math.round(Y(v)) + 0.5;
    ctx.strokeStyle = Math.abs(v) < 1e-9 ? '#b8bec7' : '#e3e6ea';
    ctx.beginPath(); ctx.moveTo(M.left, y); ctx.lineTo(M.left + pw, y); ctx.stroke();
    ctx.fillText(fmt(Math.abs(v) < 1e-9 ? 0 : v, 2), M.left - 5, y);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  ctx.fillStyle = '#444';
  ctx.fillText('time step t', M.left + pw, M.top + ph + 16);
  ctx.strokeStyle = '#666';
  ctx.strokeRect(M.left + 0.5, M.top + 0.5, pw - 1, ph - 1);
}

function line(ctx, T, value, X, Y, colour, width, dashed) {
  ctx.beginPath();
  let pen = false;
  for (let t = 0; t < T; t++) {
    const v = value(t);
    if (!Number.isFinite(v)) { pen = false; continue; }
    const y = Math.max(-1e4, Math.min(1e4, Y(v)));
    if (pen) ctx.lineTo(X(t), y);
    else { ctx.moveTo(X(t), y); pen = true; }
  }
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  if (dashed) ctx.setLineDash([4, 3]);
  ctx.stroke();
  ctx.setLineDash([]);
}

function dot(ctx, x, y, r, colour, filled) {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  if (filled) { ctx.fillStyle = colour; ctx.fill(); } else { ctx.strokeStyle = colour; ctx.lineWidth = 2.5; ctx.stroke(); }
}

function seg(ctx, x, y) {
  ctx.beginPath(); ctx.moveTo(x - 8, y); ctx.lineTo(x + 8, y); ctx.stroke();
}
