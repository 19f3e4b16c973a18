// Distributions over time, one small chart per weight layer (TensorBoard-style):
// the percentiles hello.diagnostics names (min … median … max) of the weights W,
// their gradient dW or the activations, as nested shaded bands, darker toward the
// median. All the
// layers share one y axis so they compare at a glance; gradients use a signed log
// scale, so a layer whose gradient is 10⁻⁶ shows as a thin band next to 10⁻¹.

import { fitCanvas, createCanvas } from './canvas.js';
import { fmt, niceCeil, pow10Label } from './format.js';
import { LOG_MIN, layerName } from './gradients.js';
import { Diagnostics } from './diagnostics.js';

const KINDS = {
  W: { title: 'weights W', rgb: [29, 95, 160] },
  dW: { title: 'gradient dW (signed log scale)', rgb: [179, 88, 6] },
  a: { title: 'activations', rgb: [0, 122, 85] },
};
// How strong the outermost and the innermost band are; the ones between are spaced evenly.
const OUTER = 0.16;
const INNER = 0.72;
const SYMLOG_C = 10 ** LOG_MIN; // |dW| below this reads as 0
const AXIS_W = 52;
const TOP = 20;

const symlog = (v) => Math.sign(v) * Math.log10(1 + Math.abs(v) / SYMLOG_C);

export class Distributions {
  constructor(container, history) {
    this.canvas = createCanvas(container, 'distributions-canvas');
    this.history = history;
    this.kind = 'W';
    this.label = '';
    this.frame = null;
    this.diag = null; // from hello
  }

  setHello(hello) { this.diag = new Diagnostics(hello); this.redraw(); }

  setKind(kind) { if (kind in KINDS) { this.kind = kind; this.redraw(); } }
  setLabel(label) { this.label = label || ''; this.redraw(); }
  redraw() { if (this.frame) this.update(this.frame); }

  update(frame) {
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    if (!this.diag) return;
    const bands = this.history.bands;
    const kind = KINDS[this.kind];
    const L = bands.layers || frame.layers.length;
    const n = bands.count;
    ctx.font = '14px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillStyle = '#111';
    const head = `${this.label ? this.label + ' · ' : ''}${kind.title}, per layer: ${this.diag.percentileNames()} percentiles`;
    ctx.fillText(head, 4, 2);
    const series = bands.data[this.kind];
    if (n < 2 || !L || !series) {
      ctx.fillStyle = '#555';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(`press Play or Step: the distributions build up over the last ${bands.window} frames`, w / 2, h / 2);
      return;
    }
    const P = bands.percentiles;
    const { pairs, median } = this.diag.bands();
    const strength = (i) => (pairs.length > 1 ? OUTER + ((INNER - OUTER) * i) / (pairs.length - 1) : INNER);
    const log = this.kind === 'dW';
    const f = log ? symlog : (v) => v;
    // One y range for every layer.
    let lo = Infinity;
    let hi = -Infinity;
    for (const row of series) {
      for (let l = 0; l < L; l++) {
        const a = row[l * P];
        const b = row[l * P + P - 1];
        if (a < lo) lo = a;
        if (b > hi) hi = b;
      }
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return;
    const axis = log ? logAxis(lo, hi) : linearAxis(lo, hi);
    // As many charts in a row as keep each at least ~92 px wide.
    const maxCols = Math.max(1, Math.floor((w - AXIS_W) / 92));
    const rows = Math.ceil(L / maxCols);
    const cols = Math.ceil(L / rows);
    const gridTop = TOP + 4;
    const bottom = 16;
    const cellW = (w - AXIS_W - 8) / cols;
    const cellH = (h - gridTop - bottom) / rows;
    const steps = bands.steps;
    const s0 = steps[0];
    const s1 = steps[n - 1];
    for (let l = 0; l < L; l++) {
      const r = Math.floor(l / cols);
      const c = l % cols;
      const x0 = AXIS_W + c * cellW + 4;
      const y0 = gridTop + r * cellH + 14;
      const pw = cellW - 10;
      const ph = cellH - 18;
      const X = (s) => x0 + ((s - s0) / Math.max(1, s1 - s0)) * pw;
      const Y = (v) => y0 + ph - ((f(v) - axis.lo) / (axis.hi - axis.lo)) * ph;
      ctx.fillStyle = '#111';
      ctx.font = '12px system-ui, sans-serif';
      ctx.textBaseline = 'bottom';
      ctx.textAlign = 'left';
      ctx.fillText(layerName(l, L), x0, y0 - 1);
      // Grid lines at the ticks; numbers on the first chart of each row.
      ctx.strokeStyle = '#e4e6ea';
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (const t of axis.ticks) { const y = Math.round(y0 + ph - ((t.v - axis.lo) / (axis.hi - axis.lo)) * ph) + 0.5; ctx.moveTo(x0, y); ctx.lineTo(x0 + pw, y); }
      ctx.stroke();
      if (c === 0) {
        ctx.fillStyle = '#333';
        ctx.textAlign = 'right';
        ctx.textBaseline = 'middle';
        ctx.font = '11px system-ui, sans-serif';
        let last = -Infinity;
        for (const t of axis.ticks) {
          const y = y0 + ph - ((t.v - axis.lo) / (axis.hi - axis.lo)) * ph;
          if (Math.abs(y - last) < 11) continue;
          ctx.fillText(t.label, x0 - 4, y);
          last = y;
        }
      }
      ctx.save();
      ctx.beginPath();
      ctx.rect(x0, y0, pw, ph);
      ctx.clip();
      const stride = Math.max(1, Math.floor(n / Math.max(8, pw)));
      pairs.forEach(([a, b], k) => {
        ctx.fillStyle = mix(kind.rgb, strength(k));
        ctx.beginPath();
        let started = false;
        for (let i = 0; i < n; i += stride) {
          const v = series[i][l * P + b];
          if (!Number.isFinite(v)) continue;
          if (started) ctx.lineTo(X(steps[i]), Y(v)); else { ctx.moveTo(X(steps[i]), Y(v)); started = true; }
        }
        for (let i = n - 1 - ((n - 1) % stride); i >= 0; i -= stride) {
          const v = series[i][l * P + a];
          if (Number.isFinite(v)) ctx.lineTo(X(steps[i]), Y(v));
        }
        ctx.fill();
      });
      ctx.strokeStyle = mix(kind.rgb, 1.25);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (let i = 0; i < n; i += stride) {
        const v = series[i][l * P + median];
        if (i === 0) ctx.moveTo(X(steps[i]), Y(v)); else ctx.lineTo(X(steps[i]), Y(v));
      }
      ctx.stroke();
      ctx.restore();
      ctx.strokeStyle = '#999';
      ctx.strokeRect(x0 + 0.5, y0 + 0.5, pw - 1, ph - 1);
      if (r === rows - 1 || l + cols >= L) {
        ctx.fillStyle = '#444';
        ctx.font = '11px system-ui, sans-serif';
        ctx.textBaseline = 'top';
        ctx.textAlign = 'left';
        ctx.fillText(String(s0), x0, y0 + ph + 1);
        ctx.textAlign = 'right';
        ctx.fillText(String(s1), x0 + pw, y0 + ph + 1);
      }
    }
  }
}

/** The colour of a band: white mixed with the kind's colour (strength > 1 darkens). */
function mix(rgb, t) {
  const c = rgb.map((v) => (t <= 1 ? Math.round(255 + (v - 255) * t) : Math.round(v / t)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function linearAxis(lo, hi) {
  const span = Math.max(Math.abs(lo), Math.abs(hi), 1e-12);
  const step = niceCeil(span / 2);
  const a = lo >= 0 ? 0 : -Math.ceil(-lo / step - 1e-9) * step;
  const b = hi <= 0 ? 0 : Math.ceil(hi / step - 1e-9) * step;
  const ticks = [];
  for (let v = a; v <= b + step * 1e-6; v += step) ticks.push({ v, label: fmt(Math.abs(v) < step * 1e-6 ? 0 : v, 2) });
  return { lo: a, hi: b > a ? b : a + step, ticks };
}

/** Symmetric log axis in symlog units, ticks at 0 and ±10^e. */
function logAxis(lo, hi) {
  const m = Math.max(Math.abs(lo), Math.abs(hi), SYMLOG_C * 10);
  const top = Math.ceil(Math.log10(m));
  const unit = (e) => symlog(10 ** e);
  const a = lo < 0 ? -unit(top) : 0;
  const b = hi > 0 ? unit(top) : 0;
  const ticks = [{ v: 0, label: '0' }];
  const span = top - LOG_MIN;
  const stride = span > 6 ? 3 : span > 3 ? 2 : 1;
  for (let e = top; e > LOG_MIN; e -= stride) {
    if (b > 0) ticks.push({ v: unit(e), label: pow10Label(e) });
    if (a < 0) ticks.push({ v: -unit(e), label: '−' + pow10Label(e) });
  }
  return { lo: a, hi: b > a ? b : a + 1, ticks };
}
