// The time heatmap of a recurrent run: ‖∂L/∂h_t‖ for each time step t (columns) over recent
// training steps (rows, newest at the bottom), as the server sends it (time.heat), on the
// layer heatmap's log colour scale: vanishing through time darkens the early steps,
// exploding brightens them. Under it the last step's ‖∂L/∂h_t‖ as bars on the same scale;
// the truncation window marked; beside it, in words, the spectral radius of W_h the server
// computed (frame.sequence.radius) and what it means for the gradient.

import { Raster, createCanvas, fitCanvas } from './canvas.js';
import { VIRIDIS, cssColor, drawLegend, paintImage } from './colors.js';
import { fmt, pow10Label } from './format.js';
import { LOG_MIN, LOG_MAX, TITLE_H, drawTitleRow } from './gradients.js';
import { candidateBlock } from './unrolled-layout.js';

const ROWS = 100; // the most rows the server sends: the map fills up to them from the bottom
const LABEL_W = 74;
const AXIS_H = 15;
const BAR_H = 24;
const LEGEND_W = 250;
const LEGEND_BELOW = 40;
const NAME = '‖∂L/∂h_t‖';

/** log10 of a gradient norm for the colour scale; zero (outside the truncation window) goes dark. */
export function logNorm(v) {
  return Math.log10(Math.max(v, 1e-30));
}

/** Fill `logs` (R×T, row-major) with the heat's log norms: what paintImage colours. */
export function heatLogs(heat, logs = new Float32Array(heat.length)) {
  for (let i = 0; i < heat.length; i++) logs[i] = logNorm(heat[i]);
  return logs;
}

/** The spectral radius in words (the number is the server's; only formatted here). */
export function radiusWords(seq) {
  if (!seq || typeof seq.radius !== 'number') return '';
  const r = seq.radius;
  const block = seq.cell === 'rnn' ? '' : ` (block ${seq.blocks[candidateBlock(seq.blocks)]})`;
  const head = `spectral radius of W_h${block}: ${fmt(r, 3)}`;
  if (seq.cell === 'lstm') return `${head} (the forget gate, not this radius, decides how far gradients go)`;
  if (seq.cell === 'gru') return `${head} (the update gate lets gradients bypass W_h)`;
  if (r < 1) return `${head} (below 1: gradients shrink through time)`;
  if (r > 1) return `${head} (above 1: gradients can grow through time; saturated units still shrink them)`;
  return `${head} (exactly 1: gradients keep their size through W_h)`;
}

/** "truncated BPTT: …" when the gradient went back fewer steps than the sequence has. */
export function windowWords(seq) {
  if (!seq || !(seq.window < seq.length)) return '';
  return `truncated BPTT: the gradient goes back ${seq.window} of ${seq.length} steps`;
}

export class TimeHeatmap {
  /** side: the element beside the map that gets the radius in words. */
  constructor(container, { side }) {
    this.canvas = createCanvas(container, 'timeheat-canvas');
    this.side = side;
    this.raster = new Raster();
    this.label = '';
    this.frame = null;
    this.text = null;
    this.drawn = null; // for the tests: {rows, T, lastStep}
  }

  setLabel(label) { this.label = label || ''; this.redraw(); }
  /** Explain mode's {t, ...} (or null): time step t's column framed. */
  setExplain(marks) {
    const t = marks ? marks.t : null;
    if (t === this.markT) return;
    this.markT = t;
    this.redraw();
  }
  clear() { this.frame = null; this.drawn = null; this.say(null); }
  redraw() { if (this.frame) this.update(this.frame); }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const r = frame.rnn;
    const seq = frame.sequence;
    this.say(seq);
    if (!r || !r.heat || !seq) return;
    const [R, T] = r.heat.shape.length === 2 ? r.heat.shape : [0, seq.length];
    // The colour scale's legend beside the map, or under it where the width is short (phones, presenting).
    const below = w - LABEL_W < 480;
    const legendW = below ? 0 : LEGEND_W + 16;
    const mapX = LABEL_W;
    const mapW = Math.max(40, w - mapX - legendW - 8);
    const mapY = TITLE_H + 2;
    const mapH = Math.max(16, h - mapY - AXIS_H - BAR_H - 4 - (below ? LEGEND_BELOW : 0));
    const colW = mapW / Math.max(1, T);
    const title = this.title(ctx, frame.health, w - legendW);
    ctx.fillStyle = '#ddd';
    ctx.fillRect(mapX, mapY, mapW, mapH);
    const rowH = mapH / ROWS;
    if (R > 0) {
      const image = this.raster.begin(T, R);
      this.logs = heatLogs(r.heat.data, this.logs && this.logs.length === R * T ? this.logs : undefined);
      paintImage(image, this.logs, VIRIDIS, LOG_MIN, LOG_MAX);
      this.raster.commit();
      ctx.imageSmoothingEnabled = false;
      const shown = Math.min(R, ROWS);
      ctx.drawImage(this.raster.canvas, 0, R - shown, T, shown, mapX, mapY + mapH - shown * rowH, mapW, shown * rowH);
    }
    this.steps(ctx, r.heatSteps, R, mapX, mapY, mapH, rowH);
    this.axis(ctx, T, mapX, mapY + mapH, colW);
    this.bars(ctx, r.dhNorm, T, mapX, mapY + mapH + AXIS_H + 2, colW);
    if (seq.window < seq.length) this.markWindow(ctx, seq, T, mapX, mapY, mapH, colW);
    const marked = this.markT !== null && this.markT !== undefined && this.markT < T ? this.markT : null;
    if (marked !== null) {
      ctx.strokeStyle = '#6a1b9a';
      ctx.lineWidth = 3;
      ctx.strokeRect(mapX + marked * colW + 1.5, mapY + 1.5, Math.max(2, colW - 3), mapH + AXIS_H + BAR_H);
    }
    if (below) this.legendBelow(ctx, w, mapY + mapH + AXIS_H + BAR_H + 10);
    else this.legend(ctx, w - LEGEND_W - 8, mapY, h);
    // For the tests: the rows sent and the map's box (CSS px) they were drawn into.
    this.drawn = { rows: R, T, lastStep: r.heatSteps && R ? r.heatSteps.data[R - 1] : null, map: { x: mapX, y: mapY, w: mapW, h: mapH }, title, marked };
  }

  /** The radius and the truncation in words, beside the map (DOM, so it reads and copies). */
  say(seq) {
    const lines = seq ? [radiusWords(seq), windowWords(seq)].filter(Boolean) : [];
    const key = lines.join('\n');
    if (!this.side || key === this.text) return;
    this.text = key;
    this.side.replaceChildren(...lines.map((s, i) => {
      const p = document.createElement('p');
      p.className = i === 0 ? 'time-radius' : 'time-window';
      p.textContent = s;
      return p;
    }));
  }

  title(ctx, health, right) {
    const titles = [`${NAME} per time step (columns), recent training steps (rows, newest last)`, `${NAME} per time step, recent training steps`, NAME];
    return drawTitleRow(ctx, this.label, titles, health, right);
  }

  /** The training steps of the first and the newest row, left of the map. */
  steps(ctx, heatSteps, R, mapX, mapY, mapH, rowH) {
    if (!heatSteps || !R) return;
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#333';
    ctx.textAlign = 'right';
    const s = heatSteps.data;
    const shown = Math.min(R, ROWS);
    ctx.textBaseline = 'bottom';
    ctx.fillText(`step ${s[R - 1]}`, mapX - 6, mapY + mapH);
    if (shown * rowH >= 34) {
      ctx.textBaseline = 'top';
      ctx.fillText(`step ${s[R - shown]}`, mapX - 6, mapY + mapH - shown * rowH);
    }
  }

  axis(ctx, T, mapX, y, colW) {
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#333';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'right';
    ctx.fillText('time step', mapX - 6, y + 1);
    ctx.textAlign = 'center';
    const every = Math.max(1, Math.ceil(26 / colW));
    // Every `every`-th step numbered, and the last always: a neighbour too close to it is not.
    for (let t = 0; t < T - every; t += every) ctx.fillText(String(t + 1), mapX + (t + 0.5) * colW, y + 1);
    ctx.fillText(String(T), mapX + (T - 0.5) * colW, y + 1);
  }

  /** The last training step's ‖∂L/∂h_t‖: bar height and colour on the log scale. */
  bars(ctx, dhNorm, T, mapX, y, colW) {
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#333';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText('last step', mapX - 6, y + BAR_H / 2);
    ctx.fillStyle = '#eee';
    ctx.fillRect(mapX, y, T * colW, BAR_H);
    if (!dhNorm) return;
    for (let t = 0; t < T; t++) {
      const e = logNorm(dhNorm.data[t]);
      const f = Math.max(0, Math.min(1, (e - LOG_MIN) / (LOG_MAX - LOG_MIN)));
      if (!f) continue;
      ctx.fillStyle = cssColor(VIRIDIS, e, LOG_MIN, LOG_MAX);
      ctx.fillRect(mapX + t * colW + (colW > 4 ? 1 : 0), y + BAR_H * (1 - f), Math.max(1, colW - (colW > 4 ? 2 : 0)), BAR_H * f);
    }
  }

  /** The steps the truncated gradient reaches, framed on the map. */
  markWindow(ctx, seq, T, mapX, mapY, mapH, colW) {
    const x0 = mapX + Math.max(0, T - seq.window) * colW;
    ctx.save();
    ctx.strokeStyle = '#f0a030';
    ctx.lineWidth = 3;
    ctx.strokeRect(x0 + 1.5, mapY + 1.5, mapX + T * colW - x0 - 3, mapH - 3);
    ctx.restore();
  }

  legend(ctx, lx, y, h) {
    drawLegend(ctx, { x: lx, y: y + 4, w: LEGEND_W, h: 40, lut: VIRIDIS, lo: LOG_MIN, hi: LOG_MAX, ticks: decades() });
    ctx.fillStyle = '#333';
    ctx.font = '13px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(`${NAME} colour scale (log, clamped)`, lx, y + 48);
    if (y + 78 <= h) ctx.fillText('as the layer heatmap', lx, y + 64);
  }

  legendBelow(ctx, w, y) {
    drawLegend(ctx, {
      x: 8, y, w: Math.min(w - 16, LABEL_W + LEGEND_W + 40), h: 34, lut: VIRIDIS, lo: LOG_MIN, hi: LOG_MAX,
      ticks: decades(), title: `${NAME} (log)`,
    });
  }
}

/** A tick per decade of the log colour scale: 10⁻⁸ … 10¹. */
function decades() {
  const ticks = [];
  for (let e = LOG_MIN; e <= LOG_MAX; e++) ticks.push({ value: e, label: pow10Label(e) });
  return ticks;
}
