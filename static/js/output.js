// The output plot: prediction over the input plane (decision boundary, regression
// surface, or for K classes the decision regions) with the training and test points on top.

import { CachedLayer, fitCanvas, pointerAt, Raster, createCanvas } from './canvas.js';
import { CLASS_COLORS, DIVERGING, DIVERGING_PALE, classColor, cssColor, paintImage, paintRegions, drawLegend } from './colors.js';
import { fmt } from './format.js';
import { drawBatchRings, nearestInBatch } from './explain-marks.js';

const LEGEND_H = 40;
const AXIS = 22;

export class OutputPlot {
  constructor(container) {
    this.canvas = createCanvas(container, 'output-canvas');
    this.raster = new Raster();
    this.still = new CachedLayer(); // points, frame, axes and legend: they change with the data set, not the step
    this.version = 0;
    this.dataset = null;
    this.frame = null;
    this.showTest = true;
    // Explain a step (explain.js): the batch's points ({batch, sample}) and who hears a click.
    this.explain = null;
    this.onPick = null;
    this.geometry = null;
    this.canvas.addEventListener('click', (e) => this.onClick(e));
  }

  setExplain(marks) { this.explain = marks; this.redraw(); }

  setDataset(dataset) {
    this.dataset = dataset;
    this.version += 1;
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
  get classes() { return this.dataset && this.dataset.problem === 'multiclass' ? this.dataset.classes : 0; }

  domain() {
    return this.problem === 'regression' ? [-this.yScale, this.yScale] : [0, 1];
  }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const k = frame.grid.outputClasses > 1 ? frame.grid.outputClasses : 0;
    const legendH = k ? 18 + Math.ceil(k / legendColumns(k)) * 19 : LEGEND_H;
    const size = Math.max(40, Math.min(w - AXIS - 4, h - legendH - AXIS));
    const ox = AXIS + Math.max(0, (w - AXIS - size) / 2);
    const oy = 2;
    const [lo, hi] = this.domain();
    const extent = frame.grid.extent;
    const res = frame.grid.res;
    if (frame.grid.output && res) {
      const image = this.raster.begin(res, res);
      if (k) paintRegions(image, frame.grid.output, k, res * res);
      else paintImage(image, frame.grid.output, DIVERGING_PALE, lo, hi);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(this.raster.commit(), ox, oy, size, size);
    }
    const key = [this.version, this.showTest, extent, lo, hi, k, w, h].join();
    this.still.draw(ctx, key, (layer) => {
      if (this.dataset) {
        this.drawPoints(layer, this.dataset.train, extent, ox, oy, size, false);
        if (this.showTest) this.drawPoints(layer, this.dataset.test, extent, ox, oy, size, true);
      }
      layer.strokeStyle = '#666';
      layer.lineWidth = 1;
      layer.strokeRect(ox + 0.5, oy + 0.5, size - 1, size - 1);
      this.drawAxes(layer, extent, ox, oy, size);
      if (!k) this.drawLegend(layer, lo, hi, oy + size + AXIS - 2, w);
    });
    if (this.dataset) {
      this.geometry = { extent, ox, oy, size, w, h };
      if (this.explain) this.drawBatch(ctx);
    }
    // Per-class test accuracy changes with the step: drawn every frame.
    if (k) this.drawClassLegend(ctx, frame, k, 4, oy + size + AXIS - 2, w - 8);
  }

  drawLegend(ctx, lo, hi, y, w) {
    const cls = this.problem === 'classification';
    const ticks = cls
      ? [{ value: 0, label: '0' }, { value: 0.5, label: '0.5' }, { value: 1, label: '1' }]
      : [{ value: lo, label: fmt(lo, 2) }, { value: 0, label: '0' }, { value: hi, label: fmt(hi, 2) }];
    drawLegend(ctx, { x: 4, y, w: w - 8, h: 34, lut: DIVERGING_PALE, lo, hi, ticks, title: cls ? 'P(blue)' : 'prediction' });
  }

  /** One swatch per class with its label and its accuracy on the test set. */
  drawClassLegend(ctx, frame, k, x, y, w) {
    const labels = classLabels(frame, this.dataset, k);
    const acc = frame.metrics.per_class_accuracy || [];
    ctx.save();
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillStyle = '#444';
    ctx.fillText('colour: most likely class, paler: less sure · test accuracy per class', x, y + 7, w);
    const cols = legendColumns(k);
    const cw = w / cols;
    for (let c = 0; c < k; c++) {
      const cx = x + (c % cols) * cw;
      const cy = y + 18 + Math.floor(c / cols) * 19 + 8;
      ctx.fillStyle = classColor(c);
      ctx.fillRect(cx, cy - 7, 14, 14);
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1;
      ctx.strokeRect(cx + 0.5, cy - 6.5, 13, 13);
      ctx.fillStyle = '#111';
      ctx.font = '13px system-ui, sans-serif';
      ctx.fillText(labels[c], cx + 19, cy);
      const lw = ctx.measureText(labels[c]).width;
      ctx.font = 'bold 13px system-ui, sans-serif';
      ctx.fillText(acc[c] === undefined || acc[c] === null ? '–' : `${Math.round(100 * acc[c])}%`, cx + 24 + lw, cy);
    }
    ctx.restore();
  }

  drawPoints(ctx, part, extent, ox, oy, size, isTest) {
    const [xmin, xmax, ymin, ymax] = extent;
    const sx = size / (xmax - xmin);
    const sy = size / (ymax - ymin);
    const cls = this.problem === 'classification';
    const multi = this.problem === 'multiclass';
    // Small enough that 500 points leave the boundary visible behind them; a few (placed by
    // hand, owndata.js) big enough to see and to tap.
    const few = this.dataset.train.n + this.dataset.test.n <= 60;
    const r = few ? Math.max(4.5, Math.min(7, size / 35)) : Math.max(2.2, Math.min(4, size / 70));
    ctx.lineWidth = isTest ? 1.2 : 0.8;
    ctx.strokeStyle = isTest ? '#1a1a1a' : '#fff';
    for (let i = 0; i < part.n; i++) {
      const px = ox + (part.x[2 * i] - xmin) * sx;
      const py = oy + (ymax - part.x[2 * i + 1]) * sy;
      if (px < ox || px > ox + size || py < oy || py > oy + size) continue;
      const v = part.y[i];
      ctx.fillStyle = multi ? classColor(v)
        : cls ? (v > 0.5 ? CLASS_COLORS.pos : CLASS_COLORS.neg) : cssColor(DIVERGING, v, -this.yScale, this.yScale);
      ctx.beginPath();
      ctx.arc(px, py, r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }

  /** Where training point t is drawn, in the canvas's CSS pixels. */
  pointAt(t) {
    const { extent: [xmin, xmax, ymin, ymax], ox, oy, size } = this.geometry;
    const x = this.dataset.train.x;
    return { x: ox + ((x[2 * t] - xmin) / (xmax - xmin)) * size, y: oy + ((ymax - x[2 * t + 1]) / (ymax - ymin)) * size };
  }

  /** Explaining: the batch's points ringed. */
  drawBatch(ctx) {
    drawBatchRings(ctx, this.explain, (t) => this.pointAt(t), Math.max(5, Math.min(8, this.geometry.size / 40)));
  }

  /** Explaining: a click picks the batch point nearest to it. */
  onClick(e) {
    if (!this.explain || !this.onPick || !this.geometry || !this.dataset) return;
    const best = nearestInBatch(this.explain.batch, (t) => this.pointAt(t), pointerAt(this.canvas, e));
    if (best >= 0) this.onPick(best);
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

function legendColumns(k) {
  return k === 4 ? 2 : Math.min(3, k);
}

/** Class names: the output column's labels, the dataset's, or "class 1".. */
export function classLabels(frame, dataset, k) {
  const last = frame && frame.columns.length ? frame.columns[frame.columns.length - 1] : null;
  const given = (last && last.labels) || (dataset && dataset.classLabels) || [];
  return Array.from({ length: k }, (_, c) => given[c] ?? `class ${c + 1}`);
}
