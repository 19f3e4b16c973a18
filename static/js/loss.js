// Loss curves over the run, decimated to min/max per pixel column so a million
// steps cost about as much to draw as a thousand. Each value sits at its own step (the
// older part of a long run comes thinned, docs/protocol.md). The losses over the whole
// sets are evaluated once a frame (NaN at the steps between, docs/protocol.md): the line
// joins the evaluated points, skipping the steps between rather than breaking there. The
// learning rate in effect at each step (after the schedule) runs along as a thin
// line on its own right-hand axis, from 0 to its largest value.

import { CachedLayer, fitCanvas, createCanvas } from './canvas.js';
import { fmt, niceCeil, pow10Label } from './format.js';

const LINES = [
  { key: 'trainLoss', label: 'train', color: '#1b4f8a', dash: [] },
  { key: 'testLoss', label: 'test', color: '#c9510c', dash: [6, 4] },
];
const LR = { key: 'learningRate', label: 'lr', color: '#7b3294', dash: [], width: 1.5 };
// Two runs side by side: one colour per run, train solid and test dashed.
const RUN_COLORS = ['#1b4f8a', '#c9510c'];
const M = { left: 48, right: 42, top: 22, bottom: 20 };

export class LossChart {
  constructor(container, history) {
    this.canvas = createCanvas(container, 'loss-canvas');
    this.history = history;
    this.runs = null; // null: one run; else [{history, label}] drawn in RUN_COLORS
    this.scale = 'linear';
    this.frame = null;
    this.still = new CachedLayer(); // frame, grid, y labels and key: they change with the axis, not the step
  }

  /** Compare runs: [{history, label: "A: sigmoid"}, …], or null for the single run. */
  setRuns(runs) {
    this.runs = runs && runs.length > 1 ? runs : null;
    this.redraw();
  }

  /** The lines to draw: [{series, line}] */
  lines() {
    if (!this.runs) return LINES.map((line) => ({ series: this.history[line.key], line }));
    const out = [];
    this.runs.forEach((run, i) => {
      const color = RUN_COLORS[i % RUN_COLORS.length];
      out.push({ series: run.history.testLoss, line: { key: 'testLoss', label: `${run.label} test`, color, dash: [5, 4], width: 1.5 } });
      out.push({ series: run.history.trainLoss, line: { key: 'trainLoss', label: run.label, color, dash: [], width: 2.5 } });
    });
    return out;
  }

  setScale(scale) { this.scale = scale; this.redraw(); }
  redraw() { if (this.frame) this.update(this.frame); }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const pw = w - M.left - M.right;
    const ph = h - M.top - M.bottom;
    const drawn = this.lines();
    const series = drawn.map((d) => d.series);
    const rates = this.runs ? null : this.history[LR.key];
    const base = Math.min(...series.map((s) => (s.length ? s.base : Infinity)));
    ctx.font = '12px system-ui, sans-serif';
    if (!Number.isFinite(base)) {
      this.drawFrame(ctx, pw, ph);
      ctx.fillStyle = '#555';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('press Play or Step to train', M.left + pw / 2, M.top + ph / 2);
      if (this.runs) this.drawRunKey(ctx, w);
      return;
    }
    const end = Math.max(...series.map((s) => s.end));
    ctx.font = '12px system-ui, sans-serif';
    if (!(end > base)) {
      this.drawFrame(ctx, pw, ph);
      ctx.fillStyle = '#555';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('press Play or Step to train', M.left + pw / 2, M.top + ph / 2);
      return;
    }
    const log = this.scale === 'log';
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of series) {
      const [a, b] = s.range(0, s.length);
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    }
    if (!Number.isFinite(hi)) hi = 1;
    let y0;
    let y1;
    if (log) {
      y0 = Math.floor(Math.log10(Math.max(lo, 1e-12)));
      y1 = Math.ceil(Math.log10(Math.max(hi, 1e-12)));
      if (y1 <= y0) y1 = y0 + 1;
    } else {
      y0 = 0;
      this.tickStep = niceCeil((hi > 0 ? hi : 1) / 4);
      y1 = Math.ceil((hi > 0 ? hi : 1) / this.tickStep - 1e-9) * this.tickStep;
    }
    const ty = (v) => {
      const u = log ? Math.log10(Math.max(v, 1e-12)) : v;
      return M.top + ph - ((u - y0) / (y1 - y0)) * ph;
    };
    const lr = this.lrAxis(rates, ph);
    const key = [w, h, log, y0, y1, this.tickStep, !!lr, this.runs ? this.runs.map((r) => r.label).join() : ''].join('|');
    this.still.draw(ctx, key, (layer) => {
      this.drawFrame(layer, pw, ph);
      layer.font = '12px system-ui, sans-serif';
      this.drawYTicks(layer, log, y0, y1, ty, pw);
      if (this.runs) this.drawRunKey(layer, w);
      else this.drawKey(layer, w, !!lr);
    });
    this.drawXTicks(ctx, base, end, pw, ph);
    ctx.save();
    ctx.beginPath();
    ctx.rect(M.left, M.top, pw, ph);
    ctx.clip();
    if (lr) this.drawSeries(ctx, rates, LR, base, end, pw, lr.ty);
    drawn.forEach((d) => this.drawSeries(ctx, d.series, d.line, base, end, pw, ty));
    ctx.restore();
    if (lr) this.drawLrTicks(ctx, lr, pw);
  }

  /** "— A: Sigmoid   — B: ReLU   - - test" */
  drawRunKey(ctx, w) {
    ctx.font = 'bold 13px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    const items = this.runs.map((run, i) => ({ label: run.label, color: RUN_COLORS[i % RUN_COLORS.length], dash: [] }));
    items.push({ label: 'test', color: '#555', dash: [5, 4] });
    const widths = items.map((it) => 26 + ctx.measureText(it.label).width + 12);
    let x = Math.max(M.left, w - 4 - widths.reduce((a, b) => a + b, 0));
    const y = 9;
    items.forEach((it, i) => {
      ctx.strokeStyle = it.color;
      ctx.lineWidth = 2.5;
      ctx.setLineDash(it.dash);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + 22, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = it.color === '#555' ? '#222' : it.color;
      ctx.fillText(it.label, x + 26, y);
      x += widths[i];
    });
  }

  /** The learning rate's axis: 0 at the bottom, its largest value a little below the top. */
  lrAxis(rates, ph) {
    if (!rates || !rates.length) return null;
    const [, hi] = rates.range(0, rates.length);
    if (!(hi > 0) || !Number.isFinite(hi)) return null;
    const top = hi * 1.1;
    return { hi, ty: (v) => M.top + ph - (Math.max(0, v) / top) * ph };
  }

  drawLrTicks(ctx, lr, pw) {
    const x = M.left + pw + 4;
    ctx.fillStyle = LR.color;
    ctx.strokeStyle = LR.color;
    ctx.lineWidth = 1;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    for (const v of [0, lr.hi]) {
      const y = Math.round(lr.ty(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(M.left + pw, y);
      ctx.lineTo(M.left + pw + 3, y);
      ctx.stroke();
      ctx.fillText(fmt(v, 2), x, y);
    }
  }

  drawSeries(ctx, s, line, base, end, pw, ty) {
    if (!s.length) return;
    const steps = end - base;
    ctx.strokeStyle = line.color;
    ctx.lineWidth = line.width || 2;
    ctx.setLineDash(line.dash);
    ctx.beginPath();
    let pen = false;
    const cols = Math.max(1, Math.floor(pw));
    if (steps <= cols) {
      for (let i = 0; i < s.length; i++) {
        const v = s.values[i];
        if (Number.isNaN(v)) continue; // not evaluated at this step
        if (!Number.isFinite(v)) { pen = false; continue; }
        const x = M.left + ((s.steps[i] - base) / Math.max(1, steps - 1)) * pw;
        if (pen) ctx.lineTo(x, ty(v)); else ctx.moveTo(x, ty(v));
        pen = true;
      }
    } else {
      // Dense: one vertical min-max stroke per pixel column, joined up.
      ctx.setLineDash([]);
      for (let c = 0; c < cols; c++) {
        const from = Math.floor((c / cols) * steps) + base;
        const to = Math.floor(((c + 1) / cols) * steps) + base;
        const [a, b] = s.rangeSteps(from, to);
        if (a === Infinity && b === -Infinity) continue; // no step of this column evaluated (or kept)
        if (!Number.isFinite(a) || !Number.isFinite(b)) { pen = false; continue; }
        const x = M.left + c + 0.5;
        if (pen) ctx.lineTo(x, ty(b)); else ctx.moveTo(x, ty(b));
        ctx.lineTo(x, ty(a));
        pen = true;
      }
    }
    ctx.stroke();
    ctx.setLineDash([]);
    if (s.length === 1 && Number.isFinite(s.values[0])) { // one point: a dot, not a line
      ctx.fillStyle = line.color;
      ctx.beginPath();
      ctx.arc(M.left + pw, ty(s.values[0]), 3, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  drawFrame(ctx, pw, ph) {
    ctx.strokeStyle = '#888';
    ctx.lineWidth = 1;
    ctx.strokeRect(M.left + 0.5, M.top + 0.5, pw, ph);
  }

  drawYTicks(ctx, log, y0, y1, ty, pw) {
    ctx.fillStyle = '#333';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const ticks = [];
    if (log && y1 - y0 <= 2) {
      // Few decades: 1-2-5 steps, or the axis would show just two labels.
      for (let e = y0; e < y1; e++) for (const m of [1, 2, 5]) ticks.push({ v: m * 10 ** e, label: fmt(m * 10 ** e, 2) });
      ticks.push({ v: 10 ** y1, label: fmt(10 ** y1, 2) });
    } else if (log) {
      const stride = Math.ceil((y1 - y0) / 4);
      for (let e = y0; e <= y1; e += stride) ticks.push({ v: 10 ** e, label: pow10Label(e) });
    } else {
      for (let v = 0; v <= y1 * (1 + 1e-9); v += this.tickStep) ticks.push({ v, label: fmt(v, 3) });
    }
    ctx.strokeStyle = '#e2e2e2';
    for (const t of ticks) {
      const y = Math.round(ty(t.v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(M.left + 1, y);
      ctx.lineTo(M.left + pw, y);
      ctx.stroke();
      ctx.fillText(t.label, M.left - 4, y);
    }
  }

  drawXTicks(ctx, base, end, pw, ph) {
    ctx.fillStyle = '#333';
    ctx.textBaseline = 'top';
    const y = M.top + ph + 4;
    ctx.textAlign = 'left';
    ctx.fillText(`step ${base}`, M.left, y);
    ctx.textAlign = 'right';
    ctx.fillText(String(end - 1), M.left + pw, y);
  }

  drawKey(ctx, w, withLr) {
    ctx.font = '13px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    const lines = withLr ? [...LINES, LR] : LINES;
    let x = w - 4 - 62 * lines.length;
    const y = 9;
    for (const line of lines) {
      ctx.strokeStyle = line.color;
      ctx.lineWidth = line === LR ? 2 : 2.5;
      ctx.setLineDash(line.dash);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + 22, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#222';
      ctx.fillText(line.label, x + 26, y);
      x += 62;
    }
  }
}
