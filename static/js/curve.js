// The output for one input (a line dataset such as "sine"): an x–y plot of the
// training points, the test points and the network's fitted curve.

import { fitCanvas, pointerAt, createCanvas } from './canvas.js';
import { fmt, niceCeil } from './format.js';
import { drawBatchRings, nearestInBatch } from './explain-marks.js';

const M = { left: 40, right: 10, top: 8, bottom: 46 };
const TRAIN = '#1d6fb8';
const TEST = '#c9510c';
const CURVE = '#111418';

export class CurvePlot {
  constructor(container) {
    this.canvas = createCanvas(container, 'curve-canvas');
    this.dataset = null;
    this.frame = null;
    this.showTest = true;
    this.yRange = [-1, 1];
    // Explain a step (explain.js): the batch's points ({batch, sample}) and who hears a click.
    this.explain = null;
    this.onPick = null;
    this.map = null;
    this.canvas.addEventListener('click', (e) => this.onClick(e));
  }

  setExplain(marks) { this.explain = marks; this.redraw(); }

  setDataset(dataset) {
    this.dataset = dataset;
    // The y axis spans the targets (with a margin); the curve may leave it and is clipped,
    // so a wild early fit does not squash the data into a flat line.
    let lo = Infinity;
    let hi = -Infinity;
    for (const part of [dataset.train, dataset.test]) {
      for (let i = 0; i < part.n; i++) { lo = Math.min(lo, part.y[i]); hi = Math.max(hi, part.y[i]); }
    }
    if (!(hi > lo)) { lo = -1; hi = 1; }
    const pad = 0.15 * (hi - lo);
    this.yRange = [lo - pad, hi + pad];
    this.redraw();
  }

  setShowTest(show) { this.showTest = show; this.redraw(); }
  redraw() { if (this.frame) this.update(this.frame); }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const pw = Math.max(20, w - M.left - M.right);
    const ph = Math.max(20, h - M.top - M.bottom);
    const [xmin, xmax] = this.xRange(frame);
    const [ymin, ymax] = this.yRange;
    const X = (x) => M.left + ((x - xmin) / (xmax - xmin)) * pw;
    const Y = (y) => M.top + ((ymax - y) / (ymax - ymin)) * ph;
    this.map = { X, Y };
    this.drawGrid(ctx, xmin, xmax, ymin, ymax, X, Y, pw, ph);

    ctx.save();
    ctx.beginPath();
    ctx.rect(M.left, M.top, pw, ph);
    ctx.clip();
    if (this.dataset) {
      // Test points: open rings; training points: filled dots on top of them.
      if (this.showTest) {
        ctx.strokeStyle = TEST;
        ctx.lineWidth = 1.3;
        circles(ctx, this.dataset.test, X, Y, 4);
        ctx.stroke();
      }
      ctx.fillStyle = TRAIN;
      circles(ctx, this.dataset.train, X, Y, 2.3);
      ctx.fill();
      if (this.explain) this.drawBatch(ctx);
    }
    const c = frame.curve;
    if (c && c.n > 1) {
      ctx.lineJoin = 'round';
      tracePath(ctx, c, X, Y);
      ctx.strokeStyle = 'rgba(255,255,255,0.8)';
      ctx.lineWidth = 5;
      ctx.stroke();
      ctx.strokeStyle = CURVE;
      ctx.lineWidth = 2.5;
      ctx.stroke();
    }
    ctx.restore();
    ctx.strokeStyle = '#666';
    ctx.lineWidth = 1;
    ctx.strokeRect(M.left + 0.5, M.top + 0.5, pw - 1, ph - 1);
    this.drawKey(ctx, M.left, h - 12);
  }

  pointAt(t) {
    const { train } = this.dataset;
    return { x: this.map.X(train.x[t]), y: this.map.Y(train.y[t]) };
  }

  /** Explaining: the batch's points ringed. */
  drawBatch(ctx) {
    drawBatchRings(ctx, this.explain, (t) => this.pointAt(t), 6);
  }

  /** Explaining: a click picks the batch point nearest to it. */
  onClick(e) {
    if (!this.explain || !this.onPick || !this.map || !this.dataset) return;
    const best = nearestInBatch(this.explain.batch, (t) => this.pointAt(t), pointerAt(this.canvas, e));
    if (best >= 0) this.onPick(best);
  }

  xRange(frame) {
    const c = frame.curve;
    if (c && c.n > 1 && c.x[c.n - 1] > c.x[0]) return [Math.min(c.x[0], -6), Math.max(c.x[c.n - 1], 6)];
    return [-6, 6];
  }

  drawGrid(ctx, xmin, xmax, ymin, ymax, X, Y, pw, ph) {
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#333';
    ctx.strokeStyle = '#e3e6ea';
    ctx.lineWidth = 1;
    const xStep = niceCeil((xmax - xmin) / 6);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let v = Math.ceil(xmin / xStep) * xStep; v <= xmax + 1e-9; v += xStep) {
      const x = Math.round(X(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, M.top); ctx.lineTo(x, M.top + ph); ctx.stroke();
      ctx.fillText(fmt(v, 2), x, M.top + ph + 3);
    }
    const yStep = niceCeil((ymax - ymin) / 6);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let v = Math.ceil(ymin / yStep) * yStep; v <= ymax + 1e-9; v += yStep) {
      const y = Math.round(Y(v)) + 0.5;
      ctx.strokeStyle = Math.abs(v) < 1e-9 ? '#b8bec7' : '#e3e6ea';
      ctx.beginPath(); ctx.moveTo(M.left, y); ctx.lineTo(M.left + pw, y); ctx.stroke();
      ctx.fillText(fmt(Math.abs(v) < 1e-9 ? 0 : v, 2), M.left - 5, y);
    }
    ctx.save();
    ctx.textAlign = 'right';
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#444';
    ctx.fillText('x₁', M.left + pw, M.top + ph + 16);
    ctx.textAlign = 'left';
    ctx.fillText('y', M.left + 4, M.top + 2);
    ctx.restore();
  }

  /** Legend: which mark is which. */
  drawKey(ctx, x, y) {
    ctx.save();
    ctx.font = '13px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    let cx = x;
    const item = (draw, label) => {
      draw(cx + 7);
      ctx.fillStyle = '#222';
      ctx.fillText(label, cx + 18, y);
      cx += 18 + ctx.measureText(label).width + 16;
    };
    item((px) => { ctx.fillStyle = TRAIN; ctx.beginPath(); ctx.arc(px, y, 4, 0, 2 * Math.PI); ctx.fill(); }, 'train');
    if (this.showTest) {
      item((px) => {
        ctx.strokeStyle = TEST; ctx.lineWidth = 1.5; ctx.beginPath(); ctx.arc(px, y, 4, 0, 2 * Math.PI); ctx.stroke();
      }, 'test');
    }
    item((px) => {
      ctx.strokeStyle = CURVE; ctx.lineWidth = 3; ctx.beginPath(); ctx.moveTo(px - 8, y); ctx.lineTo(px + 8, y); ctx.stroke();
    }, 'network’s prediction');
    ctx.restore();
  }
}

function tracePath(ctx, c, X, Y) {
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < c.n; i++) {
    const y = c.y[i];
    if (!Number.isFinite(y)) { pen = false; continue; }
    const py = Math.max(-1e4, Math.min(1e4, Y(y)));
    if (pen) ctx.lineTo(X(c.x[i]), py);
    else { ctx.moveTo(X(c.x[i]), py); pen = true; }
  }
}

/** One path of circles, radius r, at the points of a dataset part. */
function circles(ctx, part, X, Y, r) {
  ctx.beginPath();
  for (let i = 0; i < part.n; i++) {
    const px = X(part.x[i]);
    const py = Y(part.y[i]);
    ctx.moveTo(px + r, py);
    ctx.arc(px, py, r, 0, 2 * Math.PI);
  }
}
