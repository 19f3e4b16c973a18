// The output plot: prediction over the input plane (decision boundary or
// regression surface) with the training and test points on top.

import { fitCanvas, Raster, createCanvas } from './canvas.js';
import { CLASS_COLORS, DIVERGING, DIVERGING_PALE, cssColor, paintImage, drawLegend } from './colors.js';
import { fmt } from './format.js';

const LEGEND_H = 40;
const AXIS = 22;

export class OutputPlot {
  constructor(container) {
    this.canvas = createCanvas(container, 'output-canvas');
    this.raster = new Raster();
    this.dataset = null;
    this.frame = null;
    this.showTest = true;
  }

  setDataset(dataset) {
    this.dataset = dataset;
    // Regression colours span the label range symmetrically so 0 stays neutral.
    let m = 0;
    for (const part of [dataset.train, dataset.test]) {
      for (let i = 0; i < part.n; i++) m = Math.max(m, Math.abs(part.y[i]));
    }
    this.yScale = m || 1;
    this.redraw();
  }

  setShowTest(show) { this.showTest = show; this.redraw(); }
  redraw() { if (this.frame) this.update(this.frame); }

  get problem() { return this.dataset ? this.dataset.problem : 'classification'; }

  domain() {
    return this.problem === 'classification' ? [0, 1] : [-this.yScale, this.yScale];
  }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const size = Math.max(40, Math.min(w - AXIS - 4, h - LEGEND_H - AXIS));
    const ox = AXIS + Math.max(0, (w - AXIS - size) / 2);
    const oy = 2;
    const [lo, hi] = this.domain();
    const extent = frame.grid.extent;
    const res = frame.grid.res;
    if (frame.grid.output && res) {
      paintImage(this.raster.begin(res, res), frame.grid.output, DIVERGING_PALE, lo, hi);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(this.raster.commit(), ox, oy, size, size);
    }
    if (this.dataset) {
      this.drawPoints(ctx, this.dataset.train, extent, ox, oy, size, false);
      if (this.showTest) this.drawPoints(ctx, this.dataset.test, extent, ox, oy, size, true);
    }
    ctx.strokeStyle = '#666';
    ctx.lineWidth = 1;
    ctx.strokeRect(ox + 0.5, oy + 0.5, size - 1, size - 1);
    this.drawAxes(ctx, extent, ox, oy, size);
    const cls = this.problem === 'classification';
    const ticks = cls
      ? [{ value: 0, label: '0' }, { value: 0.5, label: '0.5' }, { value: 1, label: '1' }]
      : [{ value: lo, label: fmt(lo, 2) }, { value: 0, label: '0' }, { value: hi, label: fmt(hi, 2) }];
    drawLegend(ctx, {
      x: 4, y: oy + size + AXIS - 2, w: w - 8, h: 34, lut: DIVERGING_PALE, lo, hi, ticks,
      title: cls ? 'P(blue)' : 'prediction',
    });
  }

  drawPoints(ctx, part, extent, ox, oy, size, isTest) {
    const [xmin, xmax, ymin, ymax] = extent;
    const sx = size / (xmax - xmin);
    const sy = size / (ymax - ymin);
    const cls = this.problem === 'classification';
    // Small enough that 500 points leave the boundary visible behind them.
    const r = Math.max(2.2, Math.min(4, size / 70));
    ctx.lineWidth = isTest ? 1.2 : 0.8;
    ctx.strokeStyle = isTest ? '#1a1a1a' : '#fff';
    for (let i = 0; i < part.n; i++) {
      const px = ox + (part.x[2 * i] - xmin) * sx;
      const py = oy + (ymax - part.x[2 * i + 1]) * sy;
      if (px < ox || px > ox + size || py < oy || py > oy + size) continue;
      const v = part.y[i];
      ctx.fillStyle = cls ? (v > 0.5 ? CLASS_COLORS.pos : CLASS_COLORS.neg) : cssColor(DIVERGING, v, -this.yScale, this.yScale);
      ctx.beginPath();
      ctx.arc(px, py, r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }

  drawAxes(ctx, extent, ox, oy, size) {
    const [xmin, xmax, ymin, ymax] = extent;
    ctx.fillStyle = '#333';
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    for (const v of [xmin, 0, xmax]) {
      const x = ox + ((v - xmin) / (xmax - xmin)) * size;
      ctx.textAlign = v === xmin ? 'left' : v === xmax ? 'right' : 'center';
      ctx.fillText(fmt(v), x, oy + size + 3);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of [ymin, 0, ymax]) {
      const y = oy + ((ymax - v) / (ymax - ymin)) * size;
      ctx.fillText(fmt(v), ox - 4, Math.min(oy + size - 6, Math.max(oy + 6, y)));
    }
  }
}
