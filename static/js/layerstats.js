// Layer stats: one column per weight layer (layer 1 … output), one row per measure
// hello.diagnostics describes, each cell the current value over a sparkline of the
// last `window` steps (the steps a warning looks back over). A cell is drawn red
// while the engine warns about that layer (frame.warnings: the measure's warning
// code and the layer); thresholds and applicability live in the engine only.

import { fitCanvas, createCanvas } from './canvas.js';
import { Diagnostics, formatMeasure } from './diagnostics.js';
import { layerName } from './gradients.js';

const HEAD_W = 168;
const HEAD_H = 20;

export class LayerStats {
  constructor(container, history) {
    this.canvas = createCanvas(container, 'layer-stats-canvas');
    this.history = history;
    this.label = '';
    this.frame = null;
    this.diag = null; // from hello
    this.alerts = [];
  }

  setHello(hello) { this.diag = new Diagnostics(hello); this.redraw(); }
  setLabel(label) { this.label = label || ''; this.redraw(); }
  redraw() { if (this.frame) this.update(this.frame); }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    this.setAlerts([]);
    if (!this.diag) return;
    const { measures, window } = this.diag;
    const L = this.history.layers;
    ctx.textBaseline = 'middle';
    ctx.font = 'bold 13px system-ui, sans-serif';
    ctx.fillStyle = '#111';
    ctx.textAlign = 'left';
    ctx.fillText(this.label || `now (line: last ${window} steps)`, 4, HEAD_H / 2);
    if (!L) {
      ctx.font = '14px system-ui, sans-serif';
      ctx.fillStyle = '#555';
      ctx.textAlign = 'center';
      ctx.fillText('press Play or Step: the statistics appear after the first step', w / 2, h / 2);
      return;
    }
    const colW = (w - HEAD_W) / L;
    const rowH = (h - HEAD_H) / measures.length;
    const activations = (frame.columns || []).slice(1).map((c) => c.activation || '');
    ctx.font = `bold ${colW < 56 ? 11 : 13}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    for (let l = 0; l < L; l++) {
      const name = l === L - 1 ? 'output' : colW < 56 ? `${l + 1}` : colW < 110 ? `hidden ${l + 1}` : layerName(l, L);
      ctx.fillText(name, HEAD_W + (l + 0.5) * colW, HEAD_H / 2);
    }
    const alerts = [];
    measures.forEach((m, r) => {
      const y = HEAD_H + r * rowH;
      if (r % 2 === 0) { ctx.fillStyle = '#f5f6f8'; ctx.fillRect(0, y, w, rowH); }
      ctx.fillStyle = '#111';
      ctx.textAlign = 'left';
      ctx.font = '13px system-ui, sans-serif';
      ctx.fillText(m.label, 4, y + rowH / 2);
      const win = this.history.measure(m.name);
      const latest = win && win.latest();
      for (let l = 0; l < L; l++) {
        const x = HEAD_W + l * colW;
        if (!latest || !this.diag.applies(m, activations[l], l < L - 1)) {
          ctx.fillStyle = '#8a9099';
          ctx.textAlign = 'center';
          ctx.font = '12px system-ui, sans-serif';
          ctx.fillText('–', x + colW / 2, y + rowH / 2);
          continue;
        }
        const alert = !!m.warning && frame.warnings.some((wn) => wn.code === m.warning && (wn.layers || [wn.layer]).includes(l + 1));
        if (alert) {
          alerts.push(`${m.name}:${l + 1}`);
          ctx.fillStyle = '#fde0e4';
          ctx.fillRect(x + 1, y + 1, colW - 2, rowH - 2);
          ctx.strokeStyle = '#b00020';
          ctx.lineWidth = 1.5;
          ctx.strokeRect(x + 1.5, y + 1.5, colW - 3, rowH - 3);
        }
        // Wide cells: the number, then its sparkline beside it; narrow: the line faintly behind.
        const text = formatMeasure(m, latest[l]);
        const values = win.column(l, window);
        const side = colW >= 120;
        const textW = side ? colW * 0.58 : colW - 6;
        if (side) sparkline(ctx, values, m.log, x + textW + 4, y + 3, colW - textW - 8, rowH - 6, 0.8);
        else sparkline(ctx, values, m.log, x + 3, y + 3, colW - 6, rowH - 6, 0.3);
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
    this.setAlerts(alerts);
  }

  /** The cells drawn red, as "measure:layer" (data-alerts, for tests). */
  setAlerts(alerts) {
    this.alerts = alerts;
    this.canvas.dataset.alerts = alerts.join(' ');
  }
}

/** The layer's values over the window as a faint line behind the number. */
function sparkline(ctx, values, log, x, y, w, h, alpha) {
  const n = values.length;
  if (n < 2 || w < 8) return;
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
