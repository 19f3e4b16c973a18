// One strip of a CNN's tiles (static/js/cnn.js): the maps or filters of one array [n, h, w],
// each tile on a diverging scale centred on 0 whose ends (the largest |value| in the strip)
// the legend writes; the tiles wrap to the strip's width (phones). A hovered pixel shows its
// number; `outline` frames the same pixels on every tile, `marks` single pixels of one tile.

import { DIVERGING, paintImage } from './colors.js';
import { fmt } from './format.js';

export const TILE = 44; // CSS px of a map tile; filters are drawn as large as a map
const GAP = 6;

/** The largest |v| of an array: the end of its symmetric scale (0 when every value is 0). */
export function symmetricEnd(values) {
  let m = 0;
  for (const v of values) if (Math.abs(v) > m) m = Math.abs(v);
  return m;
}

/** Tile t of an array [n, ...per]: its values. */
function tileOf(data, shape, t) {
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  return data.subarray(t * per, (t + 1) * per);
}

export class Strip {
  /** tile: CSS px of a tile. outline: {top, left, bottom, right} of pixels to outline on every tile, or null. */
  constructor(parent, what, title, tooltip, tile = TILE) {
    this.what = what;
    this.tooltip = tooltip;
    this.tile = tile;
    this.outline = null;
    this.marks = []; // [tile, row, column] pixels outlined one by one (a weight's largest terms)
    this.onPixel = null;
    const fig = document.createElement('figure');
    fig.className = 'cnn-strip';
    fig.dataset.what = what;
    this.canvas = document.createElement('canvas');
    this.legend = document.createElement('figcaption');
    this.legendText = title;
    fig.append(this.legend, this.canvas);
    parent.append(fig);
    this.shown = null;
    this.canvas.addEventListener('pointermove', (e) => this.hover(e));
    this.canvas.addEventListener('click', (e) => this.hover(e)); // a tap, on a phone
    this.canvas.addEventListener('pointerleave', () => {
      if (tooltip) tooltip.hide();
      if (this.onPixel) this.onPixel(null, null);
    });
  }

  /** arr: {data, shape [n, h, w]} or null. The tiles wrap to the strip's width (phones). */
  draw(arr) {
    this.shown = arr;
    if (!arr) return;
    const [n, h, w] = arr.shape;
    const end = symmetricEnd(arr.data);
    const width = this.canvas.parentElement.clientWidth || n * (this.tile + GAP);
    const cols = Math.max(1, Math.min(n, Math.floor((width + GAP) / (this.tile + GAP))));
    const rows = Math.ceil(n / cols);
    this.cols = cols;
    const dpr = window.devicePixelRatio || 1;
    const cssW = cols * this.tile + (cols - 1) * GAP;
    const cssH = rows * this.tile + (rows - 1) * GAP;
    if (this.canvas.width !== Math.round(cssW * dpr) || this.canvas.height !== Math.round(cssH * dpr)) {
      this.canvas.width = Math.round(cssW * dpr);
      this.canvas.height = Math.round(cssH * dpr);
      this.canvas.style.width = `${cssW}px`;
      this.canvas.style.height = `${cssH}px`;
    }
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, cssW, cssH);
    const small = this.small || (this.small = document.createElement('canvas'));
    small.width = w;
    small.height = h;
    const sctx = small.getContext('2d');
    const image = sctx.createImageData(w, h);
    for (let t = 0; t < n; t++) {
      paintImage(image, tileOf(arr.data, arr.shape, t), DIVERGING, -(end || 1), end || 1);
      sctx.putImageData(image, 0, 0);
      ctx.drawImage(small, (t % cols) * (this.tile + GAP), Math.floor(t / cols) * (this.tile + GAP), this.tile, this.tile);
    }
    if (this.outline) {
      const { top, left, bottom, right } = this.outline;
      for (let t = 0; t < n; t++) this.box(ctx, t, h, w, top, left, bottom, right);
    }
    for (const [t, r, c] of this.marks) if (t < n && r < h && c < w) this.box(ctx, t, h, w, r, c, r, c);
    this.canvas.parentElement.dataset.marks = JSON.stringify(this.marks); // what is outlined, for a reader or a test
    this.legend.textContent = end ? `${this.legendText}: −${fmt(end)} … 0 … +${fmt(end)}` : `${this.legendText}: all 0`;
  }

  redraw() {
    this.draw(this.shown);
  }

  /** Pixels top..bottom, left..right of tile t outlined: a dark and a light line, visible on any colour. */
  box(ctx, t, h, w, top, left, bottom, right) {
    const sx = this.tile / w;
    const sy = this.tile / h;
    // Whole CSS pixels: the dark line then covers one pixel fully, whatever the tile's scale.
    const x = Math.round((t % this.cols) * (this.tile + GAP) + left * sx);
    const y = Math.round(Math.floor(t / this.cols) * (this.tile + GAP) + top * sy);
    const rw = Math.max(4, Math.round((right - left + 1) * sx));
    const rh = Math.max(4, Math.round((bottom - top + 1) * sy));
    ctx.lineWidth = 3;
    ctx.strokeStyle = '#fff';
    ctx.strokeRect(x + 1.5, y + 1.5, rw - 3, rh - 3);
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#111';
    ctx.strokeRect(x + 1.5, y + 1.5, rw - 3, rh - 3);
  }

  hover(e) {
    const arr = this.shown;
    if (!arr || !this.tooltip) return;
    const [n, h, w] = arr.shape;
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    const col = Math.floor(x / (this.tile + GAP));
    const row = Math.floor(y / (this.tile + GAP));
    const t = row * this.cols + col;
    const inX = x - col * (this.tile + GAP);
    const inY = y - row * (this.tile + GAP);
    if (col >= this.cols || t < 0 || t >= n || inX >= this.tile || inY >= this.tile) {
      this.tooltip.hide();
      if (this.onPixel) this.onPixel(null, null);
      return;
    }
    const c = Math.min(w - 1, Math.floor((inX / this.tile) * w));
    const r = Math.min(h - 1, Math.floor((inY / this.tile) * h));
    const v = arr.data[t * h * w + r * w + c];
    if (this.onPixel) this.onPixel(r, c, t);
    this.tooltip.show(e.clientX, e.clientY, `${this.legendText}, ${t + 1} of ${n}`, [[`row ${r + 1}, column ${c + 1}`, fmt(v, 4)]]);
  }
}
