// The diagram's neurons: each a thumbnail of its output over the input plane
// (grid.nodes{j}), or, for image inputs, a square shaded by its mean activation.
// Many small thumbnails are scaled to their size on screen here rather than by a
// drawImage each: a 16×32 network's 546 drawImage calls cost ~10 ms a paint in Chromium
// (~16 µs a call), ThumbLayer ~1.5 ms (~15 ns a pixel); a few big ones are cheaper drawn.

import { DIVERGING, classLut, cssColor, paintImage } from './colors.js';

const SCRIPT_MAX_PX = 32; // a thumbnail this wide in device pixels costs a drawImage call's time in script

/**
 * Every neuron's thumbnail stacked in one raster (r × r each, column by column): one
 * putImageData per frame; returns its ImageData, which ThumbLayer reads. Inputs are scaled to their own range (x₁² spans up to
 * 36), probabilities to [0, 1], the rest to [-1, 1].
 */
export function paintAtlas(raster, frame, problem) {
  const r = frame.grid.nodeRes;
  const total = frame.columns.reduce((a, c) => a + c.size, 0);
  const image = raster.begin(r, r * total);
  let row = 0;
  const last = frame.columns.length - 1;
  frame.grid.nodes.forEach((data, j) => {
    const n = frame.columns[j].size;
    for (let k = 0; k < n; k++) {
      const values = data.subarray(k * r * r, (k + 1) * r * r);
      let lo = -1;
      let hi = 1;
      if (j === 0) {
        let m = 0;
        for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
        lo = -(m || 1); hi = m || 1;
      } else if (j === last && problem !== 'regression') {
        lo = 0; hi = 1;
      }
      // K classes: each output neuron's probability from white to its class colour.
      const lut = j === last && problem === 'multiclass' ? classLut(k) : DIVERGING;
      // Painted in place: this neuron's rows of the atlas.
      const at = (row + k) * r * r * 4;
      paintImage({ data: image.data.subarray(at, at + r * r * 4) }, values, lut, lo, hi);
    }
    row += n;
  });
  raster.commit();
  return image;
}

/** Whether ThumbLayer draws thumbnails of `size` units on ctx cheaper than drawImage does. */
export function scaleInScript(ctx, size) {
  return size * ctx.getTransform().a <= SCRIPT_MAX_PX;
}

/**
 * The thumbnails drawn at the nodes' places: each column's squares scaled from the atlas
 * (bilinear, like drawImage with smoothing) into an image in device pixels, composited
 * with one drawImage per column. The plan (pixel rects, sample tables) follows the layout.
 */
export class ThumbLayer {
  constructor(makeCanvas = () => document.createElement('canvas')) {
    this.makeCanvas = makeCanvas;
    this.canvas = null;
    this.plan = null;
  }

  /** atlas: paintAtlas's ImageData (r wide); nodes: the layout's columns of {x, y, s}. */
  draw(ctx, atlas, nodes, r) {
    const k = ctx.getTransform().a;
    if (!this.plan || this.plan.nodes !== nodes || this.plan.k !== k || this.plan.r !== r) this.plan = plan(nodes, k, r);
    this.canvas ??= this.makeCanvas();
    const { columns, W, H } = this.plan;
    if (this.canvas.width !== W || this.canvas.height !== H) { this.canvas.width = W; this.canvas.height = H; }
    const layer = this.canvas.getContext('2d');
    // Every column put before any is copied: a put after a copy would copy the layer first.
    for (const col of columns) {
      for (const t of col.tiles) scale(atlas.data, t.row * r * r * 4, r, col.image, t);
      layer.putImageData(col.image, col.X0, col.Y0);
    }
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    for (const { X0, Y0, image: { width, height } } of columns) {
      ctx.drawImage(this.canvas, X0, Y0, width, height, X0, Y0, width, height);
    }
    ctx.restore();
  }
}

/** Per column: its device-pixel box, an ImageData for it and each node's tile in it. */
function plan(nodes, k, r) {
  const tables = new Map(); // by tile size in device pixels
  let row = 0;
  let W = 1;
  let H = 1;
  const columns = nodes.map((col) => {
    const rects = col.map((p) => {
      const x0 = Math.round((p.x - p.s / 2) * k);
      const y0 = Math.round((p.y - p.s / 2) * k);
      return { x0, y0, w: Math.round((p.x + p.s / 2) * k) - x0, h: Math.round((p.y + p.s / 2) * k) - y0 };
    });
    const X0 = Math.max(0, Math.min(...rects.map((q) => q.x0)));
    const Y0 = Math.max(0, Math.min(...rects.map((q) => q.y0)));
    const X1 = Math.max(...rects.map((q) => q.x0 + q.w));
    const Y1 = Math.max(...rects.map((q) => q.y0 + q.h));
    const image = new ImageData(Math.max(1, X1 - X0), Math.max(1, Y1 - Y0));
    W = Math.max(W, X1);
    H = Math.max(H, Y1);
    const tiles = rects.map((q, i) => ({
      row: row + i, x: q.x0 - X0, y: q.y0 - Y0,
      xs: samples(tables, q.w, r), ys: samples(tables, q.h, r),
    }));
    row += col.length;
    return { X0, Y0, image, tiles };
  });
  return { nodes, k, r, columns, W, H };
}

/** For n device pixels over r texels: each pixel's two texels and the weight of the second. */
function samples(tables, n, r) {
  if (!tables.has(n)) {
    const i0 = new Int32Array(n);
    const i1 = new Int32Array(n);
    const f = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = Math.min(r - 1, Math.max(0, ((i + 0.5) * r) / n - 0.5));
      i0[i] = Math.floor(u);
      i1[i] = Math.min(r - 1, i0[i] + 1);
      f[i] = u - i0[i];
    }
    tables.set(n, { i0, i1, f, n });
  }
  return tables.get(n);
}

/** Bilinear: the r × r texels at `base` in src into the tile's place in image. */
function scale(src, base, r, image, { x, y, xs, ys }) {
  const out = image.data;
  const stride = image.width * 4;
  for (let j = 0; j < ys.n; j++) {
    if (y + j < 0 || y + j >= image.height) continue;
    const r0 = base + ys.i0[j] * r * 4;
    const r1 = base + ys.i1[j] * r * 4;
    const fy = ys.f[j];
    let o = (y + j) * stride + x * 4;
    for (let i = 0; i < xs.n; i++, o += 4) {
      const a0 = r0 + xs.i0[i] * 4, b0 = r0 + xs.i1[i] * 4, a1 = r1 + xs.i0[i] * 4, b1 = r1 + xs.i1[i] * 4;
      const fx = xs.f[i];
      for (let c = 0; c < 3; c++) {
        const top = src[a0 + c] + (src[b0 + c] - src[a0 + c]) * fx;
        const bottom = src[a1 + c] + (src[b1 + c] - src[a1 + c]) * fx;
        out[o + c] = top + (bottom - top) * fy;
      }
      out[o + 3] = 255;
    }
  }
}

/** Fill of a neuron without a thumbnail (image inputs): its mean activation. */
export function plainFill(layer, isOutput, k, problem) {
  if (!layer) return '#c3c8cf'; // a pixel
  if (!layer.a_mean || (isOutput && problem === 'multiclass')) return '#f4f4f2'; // outputs: named, not shaded
  return isOutput && problem === 'classification'
    ? cssColor(DIVERGING, 2 * layer.a_mean[k] - 1, -1, 1)
    : cssColor(DIVERGING, layer.a_mean[k], -1, 1);
}
