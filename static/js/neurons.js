// Per-neuron gradient map for the current step: rows = weight layers (as in the
// gradient heatmap beside it, so rows line up), columns = the layer's neurons,
// colour = log10 of the neuron's mean |dL/dz| on the heatmap's fixed scale. A
// vertical colour bar with numbers on the right serves both.

import { CachedLayer, fitCanvas, pointerAt, Raster, createCanvas } from './canvas.js';
import { VIRIDIS, paintImage } from './colors.js';
import { fmt, pow10Label } from './format.js';
import { LOG_MIN, LOG_MAX, TITLE_H, BOTTOM_H, ROW_FONT_MIN, labelledRows, layerName } from './gradients.js';

const LEGEND_W = 62;
const MAX_CELL = 30;

export class NeuronMap {
  /** options: {tooltip, labels: false (the heatmap beside it labels the rows)} */
  constructor(container, { tooltip = null, labels = false } = {}) {
    this.canvas = createCanvas(container, 'neurons-canvas');
    this.raster = new Raster();
    this.still = new CachedLayer(); // title, cell borders, names and colour bar: fixed while the shape is
    this.tooltip = tooltip;
    this.labels = labels;
    this.frame = null;
    this.cells = null;
    if (tooltip) {
      this.canvas.addEventListener('mousemove', (e) => this.onMove(e));
      this.canvas.addEventListener('mouseleave', () => this.tooltip.hide());
    }
  }

  redraw() { if (this.frame) this.update(this.frame); }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const layers = frame.layers;
    const L = layers.length;
    const labelW = this.labels ? 56 : 0;
    const mapX = labelW + 4;
    const mapY = TITLE_H + 2;
    const mapH = Math.max(10, h - mapY - BOTTOM_H);
    const availW = Math.max(20, w - mapX - LEGEND_W - 6);
    const maxN = Math.max(1, ...layers.map((l) => l.nOut));
    const cellW = Math.min(MAX_CELL, availW / maxN);
    const mapW = cellW * maxN;
    this.cells = null;
    if (!L) {
      this.drawTitle(ctx);
      return;
    }
    const rowH = mapH / L;
    const have = layers.every((l) => l.delta_abs);
    if (have) {
      // One pixel per (neuron, layer); rows shorter than the widest layer stay blank.
      const image = this.raster.begin(maxN, L);
      if (!this.logs || this.logs.length !== maxN * L) this.logs = new Float32Array(maxN * L);
      const logs = this.logs.fill(NaN);
      layers.forEach((layer, l) => {
        const d = layer.delta_abs;
        for (let k = 0; k < layer.nOut; k++) logs[l * maxN + k] = Math.log10(Math.max(d[k], 1e-30));
      });
      paintImage(image, logs, VIRIDIS, LOG_MIN, LOG_MAX);
      layers.forEach((layer, l) => {
        for (let k = layer.nOut; k < maxN; k++) image.data[(l * maxN + k) * 4 + 3] = 0;
      });
      this.raster.commit();
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.raster.canvas, 0, 0, maxN, L, mapX, mapY, mapW, mapH);
      this.cells = { mapX, mapY, cellW, rowH, maxN };
    } else {
      ctx.fillStyle = '#ddd';
      ctx.fillRect(mapX, mapY, mapW, mapH);
      ctx.fillStyle = '#333';
      ctx.font = '12px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('after the first step', mapX + mapW / 2, mapY + mapH / 2);
    }
    const key = [w, h, L, maxN, have, this.labels].join();
    this.still.draw(ctx, key, (layer) => this.drawStill(layer, L, maxN, mapX, mapY, mapW, mapH, cellW, rowH));
  }

  drawTitle(ctx) {
    ctx.fillStyle = '#111';
    ctx.font = '14px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText('per neuron: mean |δ| now', 4, 2);
  }

  drawStill(ctx, L, maxN, mapX, mapY, mapW, mapH, cellW, rowH) {
    this.drawTitle(ctx);
    // Cell borders while cells are big enough to tell apart.
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 1;
    ctx.beginPath();
    if (rowH > 6) for (let l = 1; l < L; l++) { const y = Math.round(mapY + l * rowH) + 0.5; ctx.moveTo(mapX, y); ctx.lineTo(mapX + mapW, y); }
    if (cellW > 6) for (let k = 1; k < maxN; k++) { const x = Math.round(mapX + k * cellW) + 0.5; ctx.moveTo(x, mapY); ctx.lineTo(x, mapY + mapH); }
    ctx.stroke();
    if (this.labels) {
      ctx.font = `${Math.max(ROW_FONT_MIN, Math.min(14, rowH * 0.8))}px system-ui, sans-serif`;
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'right';
      ctx.fillStyle = '#111';
      for (const l of labelledRows(L, rowH)) ctx.fillText(layerName(l, L), mapX - 5, mapY + (l + 0.5) * rowH);
    }
    ctx.fillStyle = '#333';
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText(`neurons 1…${maxN} →`, mapX, mapY + mapH + 3);
    this.drawLegend(ctx, mapX + mapW + 10, mapY, mapH);
  }

  /** Vertical colour bar, 10⁰ at the top, with a label every other decade. */
  drawLegend(ctx, x, y, h) {
    const barW = 12;
    const steps = 64;
    for (let i = 0; i < steps; i++) {
      const e = LOG_MAX - ((i + 0.5) / steps) * (LOG_MAX - LOG_MIN);
      const k = Math.round(((e - LOG_MIN) / (LOG_MAX - LOG_MIN)) * 255) * 3;
      ctx.fillStyle = `rgb(${VIRIDIS[k]},${VIRIDIS[k + 1]},${VIRIDIS[k + 2]})`;
      ctx.fillRect(x, y + (i / steps) * h, barW, h / steps + 0.5);
    }
    ctx.strokeStyle = '#777';
    ctx.strokeRect(x + 0.5, y + 0.5, barW - 1, h - 1);
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillStyle = '#222';
    const stride = h > 110 ? 2 : h > 60 ? 3 : 9;
    for (let e = LOG_MAX - 1; e >= LOG_MIN; e -= stride) {
      const ty = y + ((LOG_MAX - e) / (LOG_MAX - LOG_MIN)) * h;
      ctx.fillRect(x + barW, ty - 0.5, 3, 1);
      ctx.fillText(pow10Label(e), x + barW + 5, ty);
    }
  }

  onMove(e) {
    const c = this.cells;
    const f = this.frame;
    if (!c || !f) return;
    const k = Math.floor((pointerAt(this.canvas, e).x - c.mapX) / c.cellW);
    const l = Math.floor((pointerAt(this.canvas, e).y - c.mapY) / c.rowH);
    const layer = f.layers[l];
    if (!layer || k < 0 || k >= layer.nOut || !layer.delta_abs) { this.tooltip.hide(); return; }
    const name = layerName(l, f.layers.length);
    this.tooltip.show(e.clientX, e.clientY, `${name}, neuron ${k + 1}`, [['mean |δ| = |dL/dz|', fmt(layer.delta_abs[k], 3)]]);
  }
}
