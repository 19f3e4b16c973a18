// Gradient health: layers × recent steps, coloured by log10 ‖dW‖ on a FIXED
// domain so a vanishing first layer (sigmoid, deep) looks dark next to a
// bright output row, and an even ReLU network looks evenly coloured.

import { fitCanvas, Raster, createCanvas } from './canvas.js';
import { VIRIDIS, cssColor, paintImage, drawLegend } from './colors.js';
import { fmt, pow10Label } from './format.js';

export const LOG_MIN = -8;
export const LOG_MAX = 1;
const LABEL_W = 70;
const VALUE_W = 150; // current value: a bar on the same log scale, and the number
const LEGEND_W = 300;
const TITLE_H = 20;

export class GradientHeatmap {
  constructor(container, history) {
    this.canvas = createCanvas(container, 'gradients-canvas');
    this.history = history;
    this.raster = new Raster();
    this.frame = null;
  }

  redraw() { if (this.frame) this.update(this.frame); }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const hist = this.history;
    const L = hist.layers || frame.layers.length;
    const win = hist.window;
    const mapX = LABEL_W;
    const mapW = Math.max(50, w - LABEL_W - VALUE_W - LEGEND_W - 24);
    const mapY = TITLE_H + 2;
    const mapH = h - mapY - 20;
    ctx.font = '14px system-ui, sans-serif';
    ctx.fillStyle = '#111';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText(`Gradient health: ‖dW‖ per weight layer, last ${win} steps (colour = log₁₀)`, 8, 2);
    ctx.fillStyle = '#ddd';
    ctx.fillRect(mapX, mapY, mapW, mapH);
    if (L > 0 && hist.gradCount > 0) {
      this.paint(hist, L, win);
      ctx.imageSmoothingEnabled = false;
      // Newest step at the right edge; the window fills in from the right.
      const colW = mapW / win;
      const drawn = hist.gradCount;
      ctx.drawImage(this.raster.canvas, 0, 0, drawn, L, mapX + mapW - drawn * colW, mapY, drawn * colW, mapH);
    }
    this.drawRows(ctx, L, mapX, mapY, mapW, mapH);
    this.drawSteps(ctx, hist, mapX, mapY + mapH, mapW);
    const lx = w - LEGEND_W - 8;
    const ticks = [];
    for (let e = LOG_MIN; e <= LOG_MAX; e++) ticks.push({ value: e, label: pow10Label(e) });
    drawLegend(ctx, { x: lx, y: mapY + 4, w: LEGEND_W, h: 40, lut: VIRIDIS, lo: LOG_MIN, hi: LOG_MAX, ticks, font: '13px system-ui, sans-serif' });
    ctx.fillStyle = '#333';
    ctx.font = '13px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText('‖dW‖ colour scale (log, clamped)', lx, mapY + 48);
    const ratio = this.firstToLast(hist);
    if (ratio) ctx.fillText(ratio, lx, mapY + 68);
  }

  /** One pixel per (step, layer), oldest step on the left. */
  paint(hist, L, win) {
    const image = this.raster.begin(win, L);
    const logs = new Float32Array(win * L).fill(NaN);
    hist.forEachGrad((c, _step, values) => {
      for (let l = 0; l < L; l++) logs[l * win + c] = Math.log10(Math.max(values[l], 1e-30));
    });
    paintImage(image, logs, VIRIDIS, LOG_MIN, LOG_MAX);
    this.raster.commit();
  }

  drawRows(ctx, L, mapX, mapY, mapW, mapH) {
    const latest = this.history.latestGrad();
    const rowH = mapH / Math.max(1, L);
    ctx.font = `${Math.max(11, Math.min(14, rowH * 0.8))}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    ctx.lineWidth = 1;
    for (let l = 0; l < L; l++) {
      const y = mapY + (l + 0.5) * rowH;
      ctx.fillStyle = '#111';
      ctx.textAlign = 'right';
      ctx.fillText(l === L - 1 ? 'output' : `layer ${l + 1}`, mapX - 6, y);
      if (latest) this.drawCurrent(ctx, latest[l], mapX + mapW + 8, y, rowH);
      if (l > 0 && rowH > 6) {
        ctx.strokeStyle = '#fff';
        ctx.beginPath();
        ctx.moveTo(mapX, Math.round(mapY + l * rowH) + 0.5);
        ctx.lineTo(mapX + mapW, Math.round(mapY + l * rowH) + 0.5);
        ctx.stroke();
      }
    }
  }

  /** Where this layer sits on the colour scale now, so rows compare at a glance. */
  drawCurrent(ctx, value, x, y, rowH) {
    const barW = 64;
    const e = Math.log10(Math.max(value, 1e-30));
    const t = Math.max(0, Math.min(1, (e - LOG_MIN) / (LOG_MAX - LOG_MIN)));
    const h = Math.max(3, Math.min(14, rowH - 4));
    ctx.fillStyle = '#e6e6e6';
    ctx.fillRect(x, y - h / 2, barW, h);
    ctx.fillStyle = cssColor(VIRIDIS, e, LOG_MIN, LOG_MAX);
    ctx.fillRect(x, y - h / 2, Math.max(2, t * barW), h);
    ctx.strokeStyle = '#888';
    ctx.strokeRect(x + 0.5, y - h / 2 + 0.5, barW - 1, h - 1);
    ctx.fillStyle = '#111';
    ctx.textAlign = 'left';
    ctx.fillText(fmt(value, 2), x + barW + 6, y);
  }

  drawSteps(ctx, hist, mapX, y, mapW) {
    if (!hist.gradCount) return;
    let first = null;
    let last = null;
    hist.forEachGrad((_c, step) => { if (first === null) first = step; last = step; });
    ctx.fillStyle = '#333';
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'right';
    const right = `step ${last}`;
    ctx.fillText(right, mapX + mapW, y + 3);
    const left = `step ${first}`;
    const x = mapX + mapW - hist.gradCount * (mapW / hist.window);
    if (x + ctx.measureText(left).width + 12 < mapX + mapW - ctx.measureText(right).width) {
      ctx.textAlign = 'left';
      ctx.fillText(left, x, y + 3);
    }
  }

  /** The headline number for vanishing gradients: first layer relative to output. */
  firstToLast(hist) {
    const g = hist.latestGrad();
    if (!g || g.length < 2 || !(g[g.length - 1] > 0)) return '';
    return `layer 1 / output = ${fmt(g[0] / g[g.length - 1], 2)}`;
  }
}
