// Confusion matrix on the test set: rows are the true class, columns the predicted
// one, shaded by count on a sequential scale (with a numbered legend), the count in
// each cell where it fits, and each class's test accuracy beside its row, as the
// server computed it (metrics.per_class_accuracy).

import { fitCanvas, createCanvas } from './canvas.js';
import { BLUES, drawLegend, lutIndex } from './colors.js';
import { niceCeil, percent } from './format.js';
import { classLabels } from './output.js';

const M = { left: 42, top: 34, right: 44, bottom: 44 };
// A short box (run A's matrix under its gallery while comparing): no axis titles above, and the
// legend beside the matrix rather than under it, so the cells keep most of the height.
const SHORT = 170;
const COMPACT = { left: 30, top: 16, right: 160, bottom: 4 };

export class ConfusionMatrix {
  constructor(container) {
    this.canvas = createCanvas(container, 'confusion-canvas');
    this.dataset = null;
    this.frame = null;
  }

  setDataset(dataset) { this.dataset = dataset; this.redraw(); }
  redraw() { if (this.frame) this.update(this.frame); }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const cm = frame.confusion;
    if (!cm || !cm.k) return;
    const k = cm.k;
    const compact = h < SHORT;
    const m = compact ? COMPACT : M;
    const cell = Math.max(4, Math.floor(Math.min((w - m.left - m.right) / k, (h - m.top - m.bottom) / k)));
    const size = cell * k;
    const ox = m.left + Math.max(0, Math.floor((w - m.left - m.right - size) / 2));
    const oy = m.top;
    let max = 0;
    for (let i = 0; i < cm.data.length; i++) max = Math.max(max, cm.data[i]);
    const hi = niceCeil(Math.max(1, max));
    // Axis ticks are short: "3" rather than "class 3".
    const labels = classLabels(frame, this.dataset, k).map((t) => t.replace(/^class /, ''));

    for (let r = 0; r < k; r++) {
      for (let c = 0; c < k; c++) {
        const v = cm.data[r * k + c];
        const li = lutIndex(v, 0, hi);
        ctx.fillStyle = `rgb(${BLUES[li * 3]},${BLUES[li * 3 + 1]},${BLUES[li * 3 + 2]})`;
        ctx.fillRect(ox + c * cell, oy + r * cell, cell, cell);
      }
    }
    // Grid lines, the diagonal (right answers) outlined.
    ctx.strokeStyle = 'rgba(0,0,0,0.12)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 1; i < k; i++) {
      ctx.moveTo(ox + i * cell + 0.5, oy); ctx.lineTo(ox + i * cell + 0.5, oy + size);
      ctx.moveTo(ox, oy + i * cell + 0.5); ctx.lineTo(ox + size, oy + i * cell + 0.5);
    }
    ctx.stroke();
    ctx.strokeStyle = '#555';
    ctx.strokeRect(ox + 0.5, oy + 0.5, size - 1, size - 1);
    ctx.strokeStyle = '#d55e00';
    ctx.lineWidth = 1.5;
    for (let i = 0; i < k; i++) ctx.strokeRect(ox + i * cell + 1, oy + i * cell + 1, cell - 2, cell - 2);

    // Counts, where a number fits in its cell.
    if (cell >= 14) {
      // As large as the widest count allows (three digits on a big test set).
      let size = Math.min(14, Math.floor(cell * 0.65));
      do { ctx.font = `${size}px system-ui, sans-serif`; size -= 1; }
      while (size >= 8 && ctx.measureText(String(Math.round(max))).width > cell - 3);
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      for (let r = 0; r < k; r++) {
        for (let c = 0; c < k; c++) {
          const v = cm.data[r * k + c];
          if (!v) continue;
          ctx.fillStyle = lutIndex(v, 0, hi) > 140 ? '#fff' : '#111';
          ctx.fillText(String(Math.round(v)), ox + (c + 0.5) * cell, oy + (r + 0.5) * cell + 0.5);
        }
      }
    }

    // Axis labels: predicted across the top, true down the left.
    ctx.fillStyle = '#222';
    ctx.font = `bold ${compact ? Math.max(8, Math.min(12, cell)) : Math.max(11, Math.min(14, cell * 0.6))}px system-ui, sans-serif`;
    ctx.textBaseline = 'bottom';
    ctx.textAlign = 'center';
    for (let c = 0; c < k; c++) ctx.fillText(labels[c], ox + (c + 0.5) * cell, oy - 2);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let r = 0; r < k; r++) ctx.fillText(labels[r], ox - 5, oy + (r + 0.5) * cell);
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#444';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    if (!compact) ctx.fillText('predicted →', ox + size / 2, 2);
    ctx.save();
    ctx.translate(ox - (compact ? 16 : 26), oy + size / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'bottom';
    ctx.fillText(compact ? 'true →' : 'true class →', 0, 0);
    ctx.restore();

    // Per-class accuracy on the test set, beside each row.
    const acc = frame.metrics.per_class_accuracy || [];
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#444';
    ctx.fillText('right', ox + size + 6, 2);
    ctx.font = `${compact ? Math.max(8, Math.min(12, cell)) : Math.max(11, Math.min(13, cell * 0.55))}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    for (let r = 0; r < k; r++) {
      const a = acc[r];
      ctx.fillStyle = a !== null && a !== undefined && a < 0.8 ? '#b00020' : '#111';
      ctx.fillText(a === null || a === undefined ? '–' : percent(a).replace('.0%', '%'), ox + size + 6, oy + (r + 0.5) * cell);
    }

    const ticks = [0, hi / 2, hi].map((v) => ({ value: v, label: String(v) }));
    const beside = { x: ox + size + 50, y: oy + 16, w: 100, title: '' }; // its title above it: the bar keeps the width
    const under = { x: ox - 30, y: oy + size + 8, w: Math.max(120, size + 30), title: 'count' };
    if (compact) {
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillStyle = '#444';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      ctx.fillText('count', beside.x, oy);
    }
    drawLegend(ctx, {
      ...(compact ? beside : under), h: 30, lut: BLUES, lo: 0, hi, ticks, font: '12px system-ui, sans-serif',
    });
  }
}
