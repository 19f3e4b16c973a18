// Colour scales as 256-entry RGB lookup tables (fast enough to fill ImageData
// per frame) and a legend painter, so every scale on the page shows its numbers.

function hex(h) {
  return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
}

function buildLut(stops) {
  const rgb = stops.map(hex);
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (rgb.length - 1);
    const k = Math.min(rgb.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = rgb[k][c] + (rgb[k + 1][c] - rgb[k][c]) * f;
  }
  return lut;
}

// Viridis (matplotlib), sampled at 11 points: perceptually uniform, colour-blind safe.
export const VIRIDIS = buildLut(['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c',
  '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725']);

// Orange (negative) -> near white -> blue (positive), as TF Playground; orange/blue
// stays distinguishable for the common colour-vision deficiencies.
export const DIVERGING = buildLut(['#b35806', '#e08214', '#fdb863', '#f4f4f2', '#92c5de', '#4393c3', '#1d5fa0']);

// Pale version for backgrounds under data points, so points stay readable.
export const DIVERGING_PALE = buildLut(['#e9a566', '#f5c48f', '#fbe0c0', '#f7f7f5', '#cde3f0', '#a9cce6', '#85b5dc']);

export const CLASS_COLORS = { neg: '#e07b10', pos: '#1d6fb8' };

/** Index into a LUT for value v over [lo, hi], clamped. */
export function lutIndex(v, lo, hi) {
  if (!(v === v)) return 0;
  const t = (v - lo) / (hi - lo);
  return t <= 0 ? 0 : t >= 1 ? 255 : (t * 255) | 0;
}

export function cssColor(lut, v, lo, hi) {
  const i = lutIndex(v, lo, hi) * 3;
  return `rgb(${lut[i]},${lut[i + 1]},${lut[i + 2]})`;
}

/** Fill an ImageData (w*h) from values with a LUT over [lo, hi]. */
export function paintImage(image, values, lut, lo, hi) {
  const px = image.data;
  const n = Math.min(values.length, px.length / 4);
  const scale = 255 / (hi - lo);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let k = v === v ? ((v - lo) * scale) | 0 : 0;
    k = k < 0 ? 0 : k > 255 ? 255 : k;
    px[i * 4] = lut[k * 3];
    px[i * 4 + 1] = lut[k * 3 + 1];
    px[i * 4 + 2] = lut[k * 3 + 2];
    px[i * 4 + 3] = 255;
  }
}

/**
 * Horizontal colour bar with tick labels, drawn into ctx at (x, y, w, h) in CSS pixels.
 * ticks: [{value, label}] inside [lo, hi]; title is drawn to the left when given.
 */
export function drawLegend(ctx, { x, y, w, h, lut, lo, hi, ticks, title, font = '13px system-ui, sans-serif' }) {
  ctx.save();
  ctx.font = font;
  ctx.textBaseline = 'middle';
  ctx.fillStyle = '#222';
  let barX = x;
  if (title) {
    ctx.textAlign = 'left';
    ctx.fillText(title, x, y + h / 2);
    barX = x + ctx.measureText(title).width + 8;
  }
  const barW = Math.max(10, x + w - barX);
  const barH = Math.max(6, h - 16);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(lutCanvas(lut), 0, 0, 256, 1, barX, y, barW, barH);
  ctx.strokeStyle = '#777';
  ctx.lineWidth = 1;
  ctx.strokeRect(barX + 0.5, y + 0.5, barW - 1, barH - 1);
  ctx.fillStyle = '#222';
  ctx.textBaseline = 'top';
  let lastRight = -Infinity;
  for (const t of ticks) {
    const tx = barX + ((t.value - lo) / (hi - lo)) * barW;
    ctx.fillRect(tx - 0.5, y + barH, 1, 3);
    // Drop a label rather than let it overlap its neighbour.
    const width = ctx.measureText(t.label).width;
    const left = Math.min(Math.max(tx - width / 2, barX), barX + barW - width);
    if (left < lastRight + 6) continue;
    ctx.textAlign = 'left';
    ctx.fillText(t.label, left, y + barH + 3);
    lastRight = left + width;
  }
  ctx.restore();
}

const lutCanvases = new WeakMap();

/** A 256×1 canvas of the LUT, stretched by drawImage: one call per legend, not one per pixel. */
function lutCanvas(lut) {
  let canvas = lutCanvases.get(lut);
  if (!canvas) {
    canvas = document.createElement('canvas');
    canvas.width = 256;
    canvas.height = 1;
    const ctx = canvas.getContext('2d');
    const image = ctx.createImageData(256, 1);
    for (let i = 0; i < 256; i++) {
      image.data.set([lut[i * 3], lut[i * 3 + 1], lut[i * 3 + 2], 255], i * 4);
    }
    ctx.putImageData(image, 0, 0);
    lutCanvases.set(lut, canvas);
  }
  return canvas;
}

// Okabe–Ito categorical palette (Okabe & Ito, 2008): distinguishable under the common
// colour-vision deficiencies. Yellow and black come last: weak on white, or too heavy.
export const CLASS_PALETTE = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9', '#f0e442', '#000000'];

export function classColor(k) {
  return CLASS_PALETTE[k % CLASS_PALETTE.length];
}

// ColorBrewer "Blues": sequential, light to dark, for counts (confusion matrix).
export const BLUES = buildLut(['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6',
  '#2171b5', '#08519c', '#08306b']);

/** White to the class colour, for one class's probability over [0, 1]. */
const classLuts = new Map();
export function classLut(k) {
  const c = classColor(k);
  if (!classLuts.has(c)) classLuts.set(c, buildLut(['#ffffff', c]));
  return classLuts.get(c);
}

const SHADES = 64;
const regionTables = new Map();

/** Per class, SHADES pale-to-strong RGB triples: the decision-region background. */
function regionTable(k) {
  if (!regionTables.has(k)) {
    const table = new Uint8ClampedArray(k * SHADES * 3);
    for (let c = 0; c < k; c++) {
      const rgb = hex(classColor(c));
      for (let s = 0; s < SHADES; s++) {
        const a = 0.1 + 0.55 * (s / (SHADES - 1)); // pale enough for the points on top
        for (let i = 0; i < 3; i++) table[(c * SHADES + s) * 3 + i] = 255 + (rgb[i] - 255) * a;
      }
    }
    regionTables.set(k, table);
  }
  return regionTables.get(k);
}

/**
 * Decision regions of K classes: probs [K, n] (class-major), each pixel coloured by
 * its most probable class, stronger the more certain (1/K -> pale, 1 -> strong).
 */
export function paintRegions(image, probs, k, n) {
  const px = image.data;
  const table = regionTable(k);
  const floor = 1 / k;
  const scale = (SHADES - 1) / (1 - floor);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let p = probs[i];
    for (let c = 1; c < k; c++) {
      const q = probs[c * n + i];
      if (q > p) { p = q; best = c; }
    }
    let s = ((p - floor) * scale) | 0;
    s = s < 0 ? 0 : s >= SHADES ? SHADES - 1 : s;
    const t = (best * SHADES + s) * 3;
    px[i * 4] = table[t];
    px[i * 4 + 1] = table[t + 1];
    px[i * 4 + 2] = table[t + 2];
    px[i * 4 + 3] = 255;
  }
}
