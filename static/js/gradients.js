// Gradient health: layers × recent steps, coloured by log10 ‖dW‖ on a FIXED
// domain so a vanishing first layer (sigmoid, deep) looks dark next to a
// bright output row, and an even ReLU network looks evenly coloured. ‖dW‖ is the data
// loss's gradient, before clipping and regularization, and the title says so. The
// header's "hidden layer 1 / output = …" is the server's text (frame.health.text): the
// vanishing warning's number and statistic, worded as the warning words them. Rows are
// named as the warnings name layers: hidden layer 1 … N, output; a CNN's as the server names
// them (frame.health.names: conv 1 … K, dense 1 … M, output).

import { CachedLayer, fitCanvas, Raster, createCanvas } from './canvas.js';
import { VIRIDIS, cssColor, paintImage, drawLegend } from './colors.js';
import { fmt, pow10Label } from './format.js';
import { Diagnostics } from './diagnostics.js';

const MEASURE = 'grad_norm'; // the history measure this map draws

export const LOG_MIN = -8;
export const LOG_MAX = 1;
const LABEL_MIN_W = 50; // the row labels' column: as wide as its longest label
const VALUE_W = 124; // current value: a bar on the same log scale, and the number
const LEGEND_W = 300;
// Shared with the per-neuron map beside it, so their rows line up.
export const TITLE_H = 20;
export const BOTTOM_H = 18;
export const ROW_FONT_MIN = 11;
/** Which gradient the map shows, in full (the title shortens it when room is short). */
export const CAPTION = 'the data loss’s gradient, before clipping and regularization';

/** Weight layer l of L as the warnings name it: by `names` (the server's, frame.health.names) where given. */
export function layerName(l, L, names = null) {
  if (names && names[l]) return names[l];
  return l === L - 1 ? 'output' : `hidden layer ${l + 1}`;
}

function rowFont(rowH) {
  return `${Math.max(ROW_FONT_MIN, Math.min(14, rowH * 0.8))}px system-ui, sans-serif`;
}

/**
 * Which rows get a text label: all when they fit, else every other one from the top,
 * and always the output row (the reference the others are compared to).
 */
export function labelledRows(L, rowH) {
  const every = rowH >= ROW_FONT_MIN + 1 ? 1 : rowH * 2 >= ROW_FONT_MIN + 1 ? 2 : Math.ceil((ROW_FONT_MIN + 2) / Math.max(1, rowH));
  const rows = [];
  for (let l = 0; l < L; l += every) rows.push(l);
  if (rows[rows.length - 1] !== L - 1) {
    // The output row replaces a labelled neighbour that would collide with it.
    if (rows.length > 1 && (L - 1 - rows[rows.length - 1]) * rowH < ROW_FONT_MIN + 1) rows.pop();
    rows.push(L - 1);
  }
  return rows;
}

export class GradientHeatmap {
  /** options: {legend: true} draws the colour scale on the right (false: a neighbour does). */
  constructor(container, history, { legend = true } = {}) {
    this.canvas = createCanvas(container, 'gradients-canvas');
    this.history = history;
    this.legend = legend;
    this.label = ''; // e.g. "A: sigmoid" in a comparison
    this.raster = new Raster();
    this.still = new CachedLayer(); // row names, separators, legend: they change with the size, not the step
    this.ariaLabel = '';
    this.frame = null;
    this.measure = null; // MEASURE's description, from hello
  }

  setHello(hello) {
    this.measure = new Diagnostics(hello).measure(MEASURE);
    this.redraw();
  }

  setLabel(label) { this.label = label || ''; this.redraw(); }
  redraw() { if (this.frame) this.update(this.frame); }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const hist = this.measure && this.history.measure(MEASURE);
    if (!hist) return;
    const L = hist.layers || frame.layers.length;
    const names = (frame.health && frame.health.names) || null;
    if ((names || []).join() !== (this.names || []).join()) this.names = names;
    const win = hist.window;
    const legendW = this.legend ? LEGEND_W + 24 : 0;
    const mapY = TITLE_H + 2;
    const mapH = Math.max(10, h - mapY - BOTTOM_H);
    const rowH = mapH / Math.max(1, L);
    const labelled = labelledRows(L, rowH);
    const labelW = this.labelWidth(ctx, L, rowH, labelled);
    const mapX = labelW;
    const mapW = Math.max(50, w - labelW - VALUE_W - legendW);
    this.drawTitle(ctx, frame.health, win, w - legendW);
    ctx.fillStyle = '#ddd';
    ctx.fillRect(mapX, mapY, mapW, mapH);
    if (L > 0 && hist.count > 0) {
      this.paint(hist, L, win);
      ctx.imageSmoothingEnabled = false;
      // Newest step at the right edge; the window fills in from the right.
      const colW = mapW / win;
      const drawn = hist.count;
      ctx.drawImage(this.raster.canvas, 0, 0, drawn, L, mapX + mapW - drawn * colW, mapY, drawn * colW, mapH);
    }
    const key = [L, w, h, mapX, mapW, mapH, this.legend, this.measure.label, this.names].join();
    this.still.draw(ctx, key, (layer) => {
      this.drawRowNames(layer, L, labelled, mapX, mapY, mapW, rowH);
      if (this.legend) this.drawScale(layer, w - LEGEND_W - 8, mapY);
    });
    const latest = hist.latest();
    if (latest) {
      ctx.font = rowFont(rowH);
      ctx.textBaseline = 'middle';
      ctx.lineWidth = 1;
      const numbered = new Set(labelled);
      for (let l = 0; l < L; l++) this.drawCurrent(ctx, latest[l], mapX + mapW + 8, mapY + (l + 0.5) * rowH, rowH, numbered.has(l));
    }
    this.drawSteps(ctx, hist, mapX, mapY + mapH, mapW);
  }

  /** The row names' column: as wide as its longest label (measured once per layer count). */
  labelWidth(ctx, L, rowH, labelled) {
    const key = `${L}|${rowFont(rowH)}|${this.names}`;
    if (this.labelKey !== key) {
      ctx.font = rowFont(rowH);
      this.labelW = Math.max(LABEL_MIN_W, ...labelled.map((l) => ctx.measureText(layerName(l, L, this.names)).width + 12));
      this.labelKey = key;
    }
    return this.labelW;
  }

  drawScale(ctx, lx, mapY) {
    const ticks = [];
    for (let e = LOG_MIN; e <= LOG_MAX; e++) ticks.push({ value: e, label: pow10Label(e) });
    drawLegend(ctx, { x: lx, y: mapY + 4, w: LEGEND_W, h: 40, lut: VIRIDIS, lo: LOG_MIN, hi: LOG_MAX, ticks, font: '13px system-ui, sans-serif' });
    ctx.fillStyle = '#333';
    ctx.font = '13px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(`${this.measure.label} colour scale (log, clamped)`, lx, mapY + 48);
  }

  /** "A: sigmoid · ‖dW‖ of the data loss …" on the left, "hidden layer 1 / output = …" on the right. */
  drawTitle(ctx, health, win, right) {
    const name = this.measure.label;
    const titles = [`${name} per weight layer, last ${win} steps (colour = log₁₀)`, `${name} per layer, last ${win} steps`, name];
    this.titleRow = drawTitleRow(ctx, this.label, titles, health, right); // for the layout tests
    const ratio = firstToLast(health);
    const aria = `${name} of ${CAPTION}, per weight layer, last ${win} steps${ratio ? `; ${ratio}` : ''}`;
    if (aria !== this.ariaLabel) this.canvas.setAttribute('aria-label', (this.ariaLabel = aria)); // no DOM change per frame
  }

  /** One pixel per (step, layer), oldest step on the left. */
  paint(hist, L, win) {
    const image = this.raster.begin(win, L);
    if (!this.logs || this.logs.length !== win * L) this.logs = new Float32Array(win * L);
    const logs = this.logs.fill(NaN);
    hist.forEach((c, _step, values) => {
      for (let l = 0; l < L; l++) logs[l * win + c] = Math.log10(Math.max(values[l], 1e-30));
    });
    paintImage(image, logs, VIRIDIS, LOG_MIN, LOG_MAX);
    this.raster.commit();
  }

  /** Row names on the left (every other one when rows are short), white lines between rows. */
  drawRowNames(ctx, L, labelled, mapX, mapY, mapW, rowH) {
    ctx.font = rowFont(rowH);
    ctx.textBaseline = 'middle';
    ctx.lineWidth = 1;
    ctx.fillStyle = '#111';
    ctx.textAlign = 'right';
    for (const l of labelled) ctx.fillText(layerName(l, L, this.names), mapX - 6, mapY + (l + 0.5) * rowH);
    if (rowH <= 6) return;
    ctx.strokeStyle = '#fff';
    ctx.beginPath();
    for (let l = 1; l < L; l++) {
      ctx.moveTo(mapX, Math.round(mapY + l * rowH) + 0.5);
      ctx.lineTo(mapX + mapW, Math.round(mapY + l * rowH) + 0.5);
    }
    ctx.stroke();
  }

  /** Where this layer sits on the colour scale now, so rows compare at a glance. */
  drawCurrent(ctx, value, x, y, rowH, withNumber = true) {
    const barW = 56;
    const e = Math.log10(Math.max(value, 1e-30));
    const t = Math.max(0, Math.min(1, (e - LOG_MIN) / (LOG_MAX - LOG_MIN)));
    const h = rowH >= 8 ? Math.min(14, rowH - 4) : Math.max(2, rowH - 1.5);
    ctx.fillStyle = '#e6e6e6';
    ctx.fillRect(x, y - h / 2, barW, h);
    ctx.fillStyle = cssColor(VIRIDIS, e, LOG_MIN, LOG_MAX);
    ctx.fillRect(x, y - h / 2, Math.max(2, t * barW), h);
    ctx.strokeStyle = '#888';
    if (h >= 5) ctx.strokeRect(x + 0.5, y - h / 2 + 0.5, barW - 1, h - 1);
    if (!withNumber) return;
    ctx.fillStyle = '#111';
    ctx.textAlign = 'left';
    ctx.fillText(fmt(value, 2), x + barW + 6, y);
  }

  /** Under the map: which gradient it is on the left, the steps it spans on the right. */
  drawSteps(ctx, hist, mapX, y, mapW) {
    ctx.fillStyle = '#333';
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    const right = hist.count ? `step ${hist.lastStep}` : '';
    const rightX = mapX + mapW - ctx.measureText(right).width - 12;
    const name = this.measure.label;
    const captions = [
      `${name} of ${CAPTION}`,
      `${name}: data loss, before clipping and regularization`,
      `${name}: data loss, unclipped, unregularized`,
      `${name} of the data loss`,
    ];
    const caption = captions.find((c) => 8 + ctx.measureText(c).width <= rightX) || '';
    ctx.textAlign = 'left';
    if (caption) ctx.fillText(caption, 8, y + 3);
    if (!hist.count) return;
    ctx.textAlign = 'right';
    ctx.fillText(right, mapX + mapW, y + 3);
    const left = `step ${hist.firstStep}`;
    const x = mapX + mapW - hist.count * (mapW / hist.window);
    const captionEnd = caption ? 8 + ctx.measureText(caption).width + 12 : 0;
    if (x >= captionEnd && x + ctx.measureText(left).width + 12 < rightX + 12) {
      ctx.textAlign = 'left';
      ctx.fillText(left, x, y + 3);
    }
    // The numbers beside the rows are this step's, not the header's median: say so.
    ctx.textAlign = 'left';
    ctx.fillText(`${name} at step ${hist.lastStep}`, mapX + mapW + 8, y + 3);
  }
}

/** The headline number for vanishing gradients, as the server words it (frame.health.text). */
/** A heatmap's title row: the run's label in bold, the longest of `titles` that fits, and the
 * engine's headline on the right; the headline drops its parenthesis, or is left out, where it
 * would run into the label. Returns where the text ends and the headline starts (for the tests). */
export function drawTitleRow(ctx, label, titles, health, right) {
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillStyle = '#111';
  let x = 8;
  if (label) {
    ctx.font = 'bold 15px system-ui, sans-serif';
    ctx.fillText(label, x, 1);
    x += ctx.measureText(label).width + 10;
  }
  ctx.font = 'bold 14px system-ui, sans-serif';
  const full = firstToLast(health);
  const headline = [full, full.replace(/\s*\(.*\)\s*$/, '')].find((t) => ctx.measureText(t).width + 4 <= right - x) || '';
  const headW = headline ? ctx.measureText(headline).width : 0;
  if (headline) {
    ctx.textAlign = 'right';
    ctx.fillText(headline, right - 4, 2);
    ctx.textAlign = 'left';
  }
  ctx.font = '14px system-ui, sans-serif';
  const title = titles.find((t) => ctx.measureText(t).width <= right - x - headW - 16);
  if (title) ctx.fillText(title, x, 2);
  return { textEnd: x + (title ? ctx.measureText(title).width : 0), headline, headlineStart: right - 4 - headW };
}

export function firstToLast(health) {
  return (health && health.text) || '';
}
