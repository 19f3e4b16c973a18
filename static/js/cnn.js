// A convolutional network, block by block, for the chosen sample (frame.cnn): each conv
// layer's filters with their gradient dW and last update ΔW beside them, the sample's feature
// maps and its error maps δ = ∂ℓ/∂z; a pool block's maps. Every tile is one of the engine's
// arrays drawn on a diverging scale centred on 0 (its ± end is the largest |value| of that
// kind in the block, written in the legend); hovering a tile's pixel shows its number.
// Filters of several input channels show their first (a channel choice comes next).
// Hovering a feature-map or error-map pixel outlines its receptive field in the image.

import { DIVERGING, paintImage } from './colors.js';
import { fmt } from './format.js';
import { receptiveField } from './receptive.js';

const TILE = 44; // CSS px of a map tile; filters are drawn as large as a map
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

export class CnnView {
  /** choose(k): the gallery image k becomes the shown sample (the controller's page only). */
  constructor(container, { tooltip, caption } = {}) {
    this.root = container;
    this.tooltip = tooltip;
    this.caption = caption || null;
    this.dataset = null;
    this.rows = [];
    this.key = '';
  }

  setDataset(dataset) {
    this.dataset = dataset;
  }

  update(frame) {
    const cnn = frame.cnn;
    if (!cnn) return;
    const key = JSON.stringify(cnn.blocks.map((b) => [b.kind, b.shape]));
    if (key !== this.key) this.build(cnn);
    const names = this.dataset && this.dataset.classLabels;
    const label = names && names[cnn.sample.label] !== undefined ? names[cnn.sample.label] : cnn.sample.label;
    if (this.caption) this.caption.textContent = `image ${cnn.sample.index + 1} of the gallery (label ${label})`;
    for (const row of this.rows) row.draw(cnn);
  }

  build(cnn) {
    this.key = JSON.stringify(cnn.blocks.map((b) => [b.kind, b.shape]));
    const input = new InputRow(this.tooltip);
    // A map pixel hovered (block j, row r, column c; null: none): its field in the image.
    const point = (j, r, c) => input.mark(j === null ? null : receptiveField(cnn.blocks, cnn.imageShape, j, r, c));
    this.rows = [input, ...cnn.blocks.map((block, j) => new BlockRow(j, block, this.tooltip, point))];
    this.root.replaceChildren(...this.rows.map((r) => r.el));
  }
}

/** The chosen image, on which a hovered map pixel's receptive field is outlined. */
class InputRow {
  constructor(tooltip) {
    this.el = document.createElement('section');
    this.el.className = 'cnn-input';
    this.strip = new Strip(this.el, 'x', 'the image (hover a map pixel: the pixels it sees)', tooltip, Math.round(1.5 * TILE));
  }

  draw(cnn) {
    this.strip.draw(cnn.x ? { data: cnn.x.data, shape: cnn.x.shape } : null);
  }

  mark(field) {
    this.strip.outline = field;
    this.strip.redraw();
  }
}

/** One block: a heading, and strips of tiles (one canvas each). */
class BlockRow {
  /** point(j, r, c): a pixel of this block's maps is hovered (null, null, null: none). */
  constructor(j, block, tooltip, point) {
    this.j = j;
    this.block = block;
    this.el = document.createElement('section');
    this.el.className = 'cnn-block';
    this.el.dataset.block = String(j);
    const h = document.createElement('h3');
    const [c, hh, ww] = block.shape;
    h.textContent = block.kind === 'conv'
      ? `${j + 1}. ${block.label}: ${block.filters} filters of ${block.kernel}×${block.kernel}${block.stride > 1 ? `, stride ${block.stride}` : ''} → ${c} maps of ${hh}×${ww}`
      : `${j + 1}. ${block.label} → ${c} maps of ${hh}×${ww}`;
    this.el.append(h);
    const kinds = block.kind === 'conv'
      ? [['W', 'filters W (input channel 1)'], ['dW', 'their gradient dW (batch)'], ['dW_step', 'last update ΔW'],
        ['a', 'feature maps of the image'], ['delta', 'error maps δ = ∂ℓ/∂z']]
      : [['a', 'pooled maps of the image']];
    this.strips = kinds.map(([what, title]) => new Strip(this.el, what, title, tooltip));
    for (const s of this.strips) {
      if (s.what === 'a' || s.what === 'delta') s.onPixel = (r, c) => point(r === null ? null : j, r, c);
    }
  }

  draw(cnn) {
    const layer = this.block.layer !== null ? cnn.layers[this.block.layer] : null;
    for (const s of this.strips) {
      if (s.what === 'a' || s.what === 'delta') s.draw(cnn.maps[this.j]?.[s.what]);
      else if (layer) s.draw(firstChannel(layer[s.what], layer.shape));
    }
  }
}

/** A filter array [F, C, k, k] as F tiles of its first input channel. */
function firstChannel(data, shape) {
  if (!data || !shape) return null;
  const [F, C, k] = shape;
  const out = new Float32Array(F * k * k);
  for (let f = 0; f < F; f++) out.set(data.subarray(f * C * k * k, f * C * k * k + k * k), f * k * k);
  return { data: out, shape: [F, k, k] };
}

class Strip {
  /** tile: CSS px of a tile. outline: {top, left, bottom, right} of pixels to outline on every tile, or null. */
  constructor(parent, what, title, tooltip, tile = TILE) {
    this.what = what;
    this.tooltip = tooltip;
    this.tile = tile;
    this.outline = null;
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
    if (this.outline) this.stroke(ctx, n, h, w);
    this.legend.textContent = end ? `${this.legendText}: −${fmt(end)} … 0 … +${fmt(end)}` : `${this.legendText}: all 0`;
  }

  redraw() {
    this.draw(this.shown);
  }

  /** The outlined pixels, on each tile: a dark and a light line, visible on any colour. */
  stroke(ctx, n, h, w) {
    const { top, left, bottom, right } = this.outline;
    const sx = this.tile / w;
    const sy = this.tile / h;
    for (let t = 0; t < n; t++) {
      // Whole CSS pixels: the dark line then covers one pixel fully, whatever the tile's scale.
      const x = Math.round((t % this.cols) * (this.tile + GAP) + left * sx);
      const y = Math.round(Math.floor(t / this.cols) * (this.tile + GAP) + top * sy);
      const rw = Math.round((right - left + 1) * sx);
      const rh = Math.round((bottom - top + 1) * sy);
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#fff';
      ctx.strokeRect(x + 1.5, y + 1.5, rw - 3, rh - 3);
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#111';
      ctx.strokeRect(x + 1.5, y + 1.5, rw - 3, rh - 3);
    }
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
    if (this.onPixel) this.onPixel(r, c);
    this.tooltip.show(e.clientX, e.clientY, `${this.legendText}, ${t + 1} of ${n}`, [[`row ${r + 1}, column ${c + 1}`, fmt(v, 4)]]);
  }
}
