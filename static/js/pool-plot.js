// The plot of the class's pooled runs (pool.js): a measure against a setting, on the setting's
// log axis if it has one, diverged runs marked ✕ in a band above; and the words for a
// setting's and a measure's values. Every number drawn is the server's; this only places them.

import { fitCanvas } from './canvas.js';
import { fmt, percent } from './format.js';

export const MEASURES = {
  test_loss: 'test loss', train_loss: 'training loss', test_accuracy: 'test accuracy',
  train_accuracy: 'training accuracy', test_r2: 'test R²', train_r2: 'training R²',
};
const DIVERGED = '#c62828';
const POINT = '#1d5fa0';

/** A setting's value in words: a choice's label, layers as 8-8, true/false as on/off. */
export function settingText(field, v) {
  if (v === null || v === undefined) return '–';
  if (Array.isArray(v)) return v.length ? v.join('-') : 'none';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'number') return fmt(v, 3);
  return field?.choices?.find((c) => c.value === v)?.label ?? String(v);
}

/** A measure's value in words (accuracies as percentages). */
export function measureText(name, v) {
  return name.endsWith('accuracy') ? percent(v) : fmt(v, 3);
}

/**
 * Where each run sits: x from the setting `pool.x` (a number on a log or linear axis, or one of
 * the categories in the order first met), y from the measure `pool.y`; a diverged run, or one
 * without a finite y, goes in the band above the plot.
 */
export function plotPoints(pool, field) {
  const numeric = field?.kind === 'number' || field?.kind === 'integer';
  const log = numeric && !!field.log;
  const categories = [];
  const points = pool.runs.map((run) => {
    const v = run.settings?.[pool.x];
    let x = null;
    if (numeric) x = typeof v === 'number' && (!log || v > 0) ? v : null;
    else if (v !== undefined) {
      const text = settingText(field, v);
      if (!categories.includes(text)) categories.push(text);
      x = categories.indexOf(text);
    }
    const y = run[pool.y];
    const finite = typeof y === 'number' && Number.isFinite(y);
    return { number: run.number, name: run.name, x, y: finite ? y : null, band: run.diverged || !finite, diverged: run.diverged };
  });
  return { points, numeric, log, categories };
}

/** About five round ticks covering [lo, hi]. */
export function linearTicks(lo, hi) {
  if (!(hi > lo)) { const d = Math.abs(lo) * 0.1 || 1; lo -= d; hi += d; }
  const raw = (hi - lo) / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
  const ticks = [];
  for (let t = Math.floor(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1] < hi) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

/** Decades covering [lo, hi] (lo > 0), one beyond a single value on each side. */
export function logTicks(lo, hi) {
  let a = Math.floor(Math.log10(lo));
  let b = Math.ceil(Math.log10(hi));
  if (a === b) { a -= 1; b += 1; }
  return Array.from({ length: b - a + 1 }, (_, i) => 10 ** (a + i));
}

/** The plot on its canvas, from the pool message; `drawn` keeps where each run went (tests read it). */
export class PoolPlot {
  constructor(canvas) {
    this.canvas = canvas;
    this.drawn = [];
  }

  draw(pool, field) {
    const { ctx, w, h } = fitCanvas(this.canvas);
    const big = Math.min(w, h) > 320;
    const font = big ? 15 : 13;
    ctx.font = `${font}px system-ui, sans-serif`;
    const { points, numeric, log, categories } = plotPoints(pool, field);
    const placed = points.filter((p) => p.x !== null);
    const left = font * 4.2, right = font * 1.6, top = font * 2.4, bottom = font * 3.4; // right: room for a label
    const pw = Math.max(10, w - left - right), ph = Math.max(10, h - top - bottom);
    // x: the setting
    let xs, sx;
    if (numeric) {
      const vals = placed.map((p) => p.x);
      const lo = vals.length ? Math.min(...vals) : (log ? 0.01 : 0), hi = vals.length ? Math.max(...vals) : (log ? 1 : 1);
      xs = log ? logTicks(lo, hi) : linearTicks(lo, hi);
      const [a, b] = log ? [Math.log10(xs[0]), Math.log10(xs[xs.length - 1])] : [xs[0], xs[xs.length - 1]];
      sx = (v) => left + (((log ? Math.log10(v) : v) - a) / (b - a || 1)) * pw;
    } else {
      xs = categories.map((_, i) => i);
      sx = (i) => left + ((i + 0.5) / Math.max(1, categories.length)) * pw;
    }
    // y: the measure, from the runs that kept finite numbers
    const ys = placed.filter((p) => !p.band).map((p) => p.y);
    const acc = pool.y.endsWith('accuracy');
    const yt = acc ? [0, 0.25, 0.5, 0.75, 1] : linearTicks(Math.min(0, ...ys), ys.length ? Math.max(...ys) : 1);
    const y0 = yt[0], y1 = yt[yt.length - 1];
    const sy = (v) => top + ph - ((v - y0) / (y1 - y0 || 1)) * ph;
    // axes, grid and labels
    ctx.strokeStyle = '#d5d9e0';
    ctx.fillStyle = '#4a4f57';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of yt) {
      const y = sy(t);
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + pw, y); ctx.stroke();
      ctx.fillText(acc ? percent(t).replace('.0%', '%') : fmt(t, 3), left - 6, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    xs.forEach((t) => {
      const x = sx(t);
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + ph); ctx.stroke();
      ctx.fillText(numeric ? fmt(t, 3) : categories[t], x, top + ph + 5);
    });
    ctx.fillStyle = '#111418';
    ctx.font = `600 ${font}px system-ui, sans-serif`;
    const label = field?.label ?? pool.x;
    ctx.fillText(`${label}${log ? ' (log scale)' : ''}`, left + pw / 2, top + ph + font + 12);
    ctx.save();
    ctx.translate(font, top + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(MEASURES[pool.y] ?? pool.y, 0, 0);
    ctx.restore();
    // the band of diverged runs, above the plot
    const band = top - font * 1.1;
    ctx.font = `${font}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = DIVERGED;
    if (placed.some((p) => p.band)) ctx.fillText('✕ diverged', left + 4, band);
    // the runs
    this.drawn = [];
    const size = big ? 7 : 5;
    for (const p of placed) {
      const x = sx(p.x), y = p.band ? band : sy(p.y);
      if (p.band) cross(ctx, x, y, size, DIVERGED);
      else dot(ctx, x, y, size, POINT);
      if (p.number === pool.spotlight) ring(ctx, x, y, size + 6);
      ctx.fillStyle = '#111418';
      ctx.fillText(String(p.number), x + size + 3, y - size);
      this.drawn.push({ number: p.number, x: p.x, y: p.y, diverged: p.diverged, px: Math.round(x), py: Math.round(y) });
    }
    if (!pool.runs.length) {
      ctx.textAlign = 'center';
      ctx.fillStyle = '#4a4f57';
      ctx.fillText('No runs yet: students send theirs with “Send my run”', left + pw / 2, top + ph / 2);
    }
    this.canvas.dataset.points = JSON.stringify(this.drawn);
  }
}

function dot(ctx, x, y, r, color) {
  ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fillStyle = color; ctx.fill();
  ctx.strokeStyle = '#fff'; ctx.lineWidth = 1.5; ctx.stroke();
}

function cross(ctx, x, y, r, color) {
  ctx.strokeStyle = color; ctx.lineWidth = 3;
  ctx.beginPath(); ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r); ctx.moveTo(x + r, y - r); ctx.lineTo(x - r, y + r); ctx.stroke();
}

function ring(ctx, x, y, r) {
  ctx.strokeStyle = '#f0a030'; ctx.lineWidth = 3;
  ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.stroke();
}
