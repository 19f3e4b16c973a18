// A convolutional network, block by block, for the chosen sample (frame.cnn): each conv
// layer's filters with their gradient dW and last update ΔW beside them, the sample's feature
// maps and its error maps δ = ∂ℓ/∂z; a pool block's maps. Every tile is one of the engine's
// arrays drawn on a diverging scale centred on 0 (its ± end is the largest |value| of that
// kind in the block, written in the legend); hovering a tile's pixel shows its number.
// Filters of several input channels show their first (a channel choice comes next).

import { DIVERGING, paintImage } from './colors.js';
import { fmt } from './format.js';

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
    this.rows = cnn.blocks.map((block, j) => new BlockRow(j, block, this.tooltip));
    this.root.replaceChildren(...this.rows.map((r) => r.el));
  }
}

/** One block: a heading, and strips of tiles (one canvas each). */
class BlockRow {
  constructor(j, block, tooltip) {
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
  constructor(parent, what, title, tooltip) {
    this.what = what;
    this.tooltip = tooltip;
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
    this.canvas.addEventListener('pointerleave', () => tooltip && tooltip.hide());
  }

  /** arr: {data, shape [n, h, w]} or null. The tiles wrap to the strip's width (phones). */
  draw(arr) {
    this.shown = arr;
    if (!arr) return;
    const [n, h, w] = arr.shape;
    const end = symmetricEnd(arr.data);
    const width = this.canvas.parentElement.clientWidth || n * (TILE + GAP);
    const cols = Math.max(1, Math.min(n, Math.floor((width + GAP) / (TILE + GAP))));
    const rows = Math.ceil(n / cols);
    this.cols = cols;
    const dpr = window.devicePixelRatio || 1;
    const cssW = cols * TILE + (cols - 1) * GAP;
    const cssH = rows * TILE + (rows - 1) * GAP;
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
      ctx.drawImage(small, (t % cols) * (TILE + GAP), Math.floor(t / cols) * (TILE + GAP), TILE, TILE);
    }
    this.legend.textContent = end ? `${this.legendText}: −${fmt(end)} … 0 … +${fmt(end)}` : `${this.legendText}: all 0`;
  }

  hover(e) {
    const arr = this.shown;
    if (!arr || !this.tooltip) return;
    const [n, h, w] = arr.shape;
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    const col = Math.floor(x / (TILE + GAP));
    const row = Math.floor(y / (TILE + GAP));
    const t = row * this.cols + col;
    const inX = x - col * (TILE + GAP);
    const inY = y - row * (TILE + GAP);
    if (col >= this.cols || t < 0 || t >= n || inX >= TILE || inY >= TILE) { this.tooltip.hide(); return; }
    const c = Math.min(w - 1, Math.floor((inX / TILE) * w));
    const r = Math.min(h - 1, Math.floor((inY / TILE) * h));
    const v = arr.data[t * h * w + r * w + c];
    this.tooltip.show(e.clientX, e.clientY, `${this.legendText}, ${t + 1} of ${n}`, [[`row ${r + 1}, column ${c + 1}`, fmt(v, 4)]]);
  }
}
