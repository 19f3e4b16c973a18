// Layer stats: one column per weight layer (layer 1 … output), one row per
// diagnostic (docs/diagnostics.md), each cell the current value over a sparkline
// of the last steps. A cell is drawn red while the engine warns about that layer
// (frame.warnings: code and layer); the thresholds live in engine/diagnostics.py only.

import { fitCanvas, createCanvas } from './canvas.js';
import { fmt } from './format.js';

const WINDOW = 20; // steps the sparklines show, as many as the warnings look back over
const DYING = ['relu'];
const SATURATING = ['sigmoid', 'tanh'];

const pct = (v) => (v === null || !Number.isFinite(v) ? '–' : `${Math.round(v * 100)}%`);

const ROWS = [
  {
    key: 'grad', label: '‖dW‖', hint: 'red: vanishing gradients reach this layer', log: true,
    text: (v) => fmt(v, 2), code: 'vanishing',
  },
  { key: 'meanAbsDelta', label: 'mean |δ|', hint: 'error signal reaching the layer', log: true, text: (v) => fmt(v, 2) },
  {
    key: 'updateRatio', label: '‖ΔW‖ / ‖W‖', hint: 'about 10⁻³ is healthy; red: updates too large', log: true,
    text: (v) => fmt(v, 2), code: 'large_updates',
  },
  {
    key: 'actMean', label: 'activation mean ± std', hint: 'over the batch', log: false,
    text: (v, ctx) => `${fmt(v, 2)} ± ${fmt(ctx.now('actStd', ctx.l), 2)}`,
  },
  {
    key: 'dead', label: 'dead ReLUs', hint: 'red: the engine warns of dead units', log: false, applies: DYING,
    text: pct, code: 'dead',
  },
  {
    key: 'saturated', label: 'saturated units', hint: 'red: the engine warns of saturation', log: false, applies: SATURATING,
    text: pct, code: 'saturated',
  },
];

const HEAD_W = 168;
const HEAD_H = 20;

export class LayerStats {
  constructor(container, history) {
    this.canvas = createCanvas(container, 'layer-stats-canvas');
    this.history = history;
    this.label = '';
    this.frame = null;
    this.alerts = [];
  }

  setLabel(label) { this.label = label || ''; this.redraw(); }
  redraw() { if (this.frame) this.update(this.frame); }

  window(key) {
    return key === 'grad' ? this.history.grads : this.history.diagnostics[key];
  }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const grads = this.history.grads;
    const L = grads.layers;
    const count = grads.count;
    ctx.textBaseline = 'middle';
    ctx.font = 'bold 13px system-ui, sans-serif';
    ctx.fillStyle = '#111';
    ctx.textAlign = 'left';
    ctx.fillText(this.label || 'now (line: last steps)', 4, HEAD_H / 2);
    if (!L || !count) {
      ctx.font = '14px system-ui, sans-serif';
      ctx.fillStyle = '#555';
      ctx.textAlign = 'center';
      ctx.fillText('press Play or Step: the statistics appear after the first step', w / 2, h / 2);
      this.alerts = [];
      this.canvas.dataset.alerts = '';
      return;
    }
    const colW = (w - HEAD_W) / L;
    const rowH = (h - HEAD_H) / ROWS.length;
    const activations = (frame.columns || []).slice(1).map((c) => c.activation || '');
    // Column headers.
    ctx.font = `bold ${colW < 56 ? 11 : 13}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    for (let l = 0; l < L; l++) {
      const name = l === L - 1 ? 'output' : colW < 56 ? `${l + 1}` : `layer ${l + 1}`;
      ctx.fillText(name, HEAD_W + (l + 0.5) * colW, HEAD_H / 2);
    }
    const cache = new Map();
    const win = (key, l) => {
      const id = `${key}|${l}`;
      if (!cache.has(id)) cache.set(id, this.window(key).column(l, WINDOW));
      return cache.get(id);
    };
    const now = (key, l) => { const x = this.window(key).latest(); return x ? x[l] : null; };
    const alerts = [];
    ROWS.forEach((row, r) => {
      const y = HEAD_H + r * rowH;
      if (r % 2 === 0) { ctx.fillStyle = '#f5f6f8'; ctx.fillRect(0, y, w, rowH); }
      ctx.fillStyle = '#111';
      ctx.textAlign = 'left';
      ctx.font = '13px system-ui, sans-serif';
      ctx.fillText(row.label, 4, y + rowH / 2);
      const full = this.window(row.key);
      const latest = full.latest();
      for (let l = 0; l < L; l++) {
        const x = HEAD_W + l * colW;
        const act = activations[l] || '';
        const hidden = l < L - 1;
        const applies = !row.applies || (hidden && row.applies.includes(act));
        if (!latest || !applies) {
          ctx.fillStyle = '#8a9099';
          ctx.textAlign = 'center';
          ctx.font = '12px system-ui, sans-serif';
          ctx.fillText('–', x + colW / 2, y + rowH / 2);
          continue;
        }
        const c = { L, l, win, now };
        const alert = !!row.code && (frame.warnings || []).some((wn) => wn.code === row.code && wn.layer === l + 1);
        if (alert) {
          alerts.push(`${row.key}:${l + 1}`);
          ctx.fillStyle = '#fde0e4';
          ctx.fillRect(x + 1, y + 1, colW - 2, rowH - 2);
          ctx.strokeStyle = '#b00020';
          ctx.lineWidth = 1.5;
          ctx.strokeRect(x + 1.5, y + 1.5, colW - 3, rowH - 3);
        }
        // Wide cells: the number, then its sparkline beside it; narrow: the line faintly behind.
        const text = row.text(latest[l], c);
        const side = colW >= 120;
        const textW = side ? colW * 0.58 : colW - 6;
        if (side) sparkline(ctx, full, l, row.log, x + textW + 4, y + 3, colW - textW - 8, rowH - 6, 0.8);
        else sparkline(ctx, full, l, row.log, x + 3, y + 3, colW - 6, rowH - 6, 0.3);
        ctx.fillStyle = alert ? '#b00020' : '#111';
        fitFont(ctx, text, textW - 4, Math.min(14, rowH - 4), alert);
        if (side) { ctx.textAlign = 'right'; ctx.fillText(text, x + textW, y + rowH / 2); }
        else { ctx.textAlign = 'center'; ctx.fillText(text, x + colW / 2, y + rowH / 2); }
      }
    });
    // Thin column rules.
    ctx.strokeStyle = '#d6d9de';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let l = 0; l <= L; l++) { const x = Math.round(HEAD_W + l * colW) + 0.5; ctx.moveTo(x, HEAD_H); ctx.lineTo(x, h); }
    ctx.stroke();
    this.alerts = alerts;
    this.canvas.dataset.alerts = alerts.join(' ');
  }
}

/** The layer's values over the window as a faint line behind the number. */
function sparkline(ctx, win, l, log, x, y, w, h, alpha) {
  const n = win.count;
  if (n < 2 || w < 8) return;
  const values = win.column(l);
  const f = log ? (v) => Math.log10(Math.max(v, 1e-30)) : (v) => v;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) { const v = f(values[i]); if (v < lo) lo = v; if (v > hi) hi = v; }
  if (!Number.isFinite(lo)) return;
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const stride = Math.max(1, Math.floor(n / w));
  ctx.strokeStyle = `rgba(29, 95, 160, ${alpha})`;
  ctx.lineWidth = 1.2;
  ctx.beginPath();
  for (let i = 0; i < n; i += stride) {
    const px = x + (i / (n - 1)) * w;
    const py = y + h - ((f(values[i]) - lo) / (hi - lo)) * h;
    if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
  }
  ctx.stroke();
}

function fitFont(ctx, text, width, size, bold) {
  let s = size;
  do {
    ctx.font = `${bold ? 'bold ' : '600 '}${s}px system-ui, sans-serif`;
    if (ctx.measureText(text).width <= width) return;
    s -= 1;
  } while (s > 9);
}


