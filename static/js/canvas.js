// Canvas sizing by devicePixelRatio: widgets draw in CSS pixels, the backing
// store matches the screen so lines and text stay sharp on HiDPI projectors.

// CSS sizes come from a ResizeObserver, so drawing never forces a synchronous
// layout (reading clientWidth after a text change would, every frame). A memo
// cache, made on first use so that modules importing this one load under Node.
const cssSize = new WeakMap();
const sizes = { observer: null };

function observe(canvas) {
  sizes.observer ??= new ResizeObserver((entries) => {
    for (const e of entries) cssSize.set(e.target, { w: e.contentRect.width, h: e.contentRect.height });
  });
  sizes.observer.observe(canvas);
}

// Presentation mode draws every chart larger: the canvas keeps its box, its drawing units
// grow by `zoom`, so text and lines grow with them and the layout fits w/zoom units.
const view = { zoom: 1 };
export function setCanvasZoom(zoom) { view.zoom = zoom; }

/** A pointer event's position on `canvas`, in the units its widget drew in. */
export function pointerAt(canvas, e) {
  const rect = canvas.getBoundingClientRect();
  return { x: (e.clientX - rect.left) / view.zoom, y: (e.clientY - rect.top) / view.zoom };
}

/** Resize canvas to its CSS box if needed; return {ctx, w, h} in drawing units (CSS pixels / zoom). */
export function fitCanvas(canvas) {
  let size = cssSize.get(canvas);
  if (!size) {
    size = { w: canvas.clientWidth, h: canvas.clientHeight };
    cssSize.set(canvas, size);
    observe(canvas);
  }
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(size.w));
  const h = Math.max(1, Math.round(size.h));
  const bw = Math.round(w * dpr);
  const bh = Math.round(h * dpr);
  if (canvas.width !== bw || canvas.height !== bh) {
    canvas.width = bw;
    canvas.height = bh;
  }
  const ctx = canvas.getContext('2d');
  const z = view.zoom;
  ctx.setTransform(dpr * z, 0, 0, dpr * z, 0, 0);
  ctx.clearRect(0, 0, w / z, h / z);
  return { ctx, w: w / z, h: h / z };
}

/** An offscreen canvas holding w*h ImageData, reused while the size is unchanged. */
export class Raster {
  constructor() {
    this.canvas = document.createElement('canvas');
    this.ctx = this.canvas.getContext('2d');
    this.image = null;
  }

  /** ImageData of size w*h (reallocated only when the size changes). */
  begin(w, h) {
    if (!this.image || this.image.width !== w || this.image.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.image = this.ctx.createImageData(w, h);
    }
    return this.image;
  }

  commit() {
    this.ctx.putImageData(this.image, 0, 0);
    return this.canvas;
  }
}

/**
 * A transparent layer the size of a canvas's backing store, painted again only when its key
 * (or the canvas's size or scale) changes, and otherwise copied in one drawImage: for what
 * stays put from frame to frame (a data set's points, axes, legends).
 */
export class CachedLayer {
  constructor() {
    this.canvas = null;
    this.key = null;
  }

  /** paint(layerCtx) draws in the target's units, as if on ctx itself. */
  draw(ctx, key, paint) {
    const { width, height } = ctx.canvas;
    const t = ctx.getTransform();
    const full = `${key}|${width}|${height}|${t.a}|${t.d}`;
    if (full !== this.key) {
      this.canvas ??= document.createElement('canvas');
      this.canvas.width = width;
      this.canvas.height = height;
      const layer = this.canvas.getContext('2d');
      layer.setTransform(t);
      paint(layer);
      this.key = full;
    }
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.canvas, 0, 0);
    ctx.restore();
  }
}

/**
 * A canvas stacked over a widget's canvas in the same box, painted again only when its key
 * (or the canvas's size or scale) changes. For what a widget draws last and keeps from frame
 * to frame (names, captions, legends): unlike a CachedLayer it costs no drawImage per frame,
 * the compositor lays it over the canvas below. Pointer events pass through to that canvas.
 */
export class Overlay {
  constructor(container, className = '') {
    this.canvas = createCanvas(container, className);
    this.canvas.style.pointerEvents = 'none';
    this.key = null;
  }

  /** Same contract as CachedLayer.draw: ctx is the canvas below, freshly fitted. */
  draw(ctx, key, paint) {
    const { width, height } = ctx.canvas;
    const t = ctx.getTransform();
    const full = `${key}|${width}|${height}|${t.a}|${t.d}`;
    if (full === this.key) return;
    this.canvas.width = width; // clears it, even at the same size
    this.canvas.height = height;
    const layer = this.canvas.getContext('2d');
    layer.setTransform(t);
    paint(layer);
    this.key = full;
  }

  clear() {
    this.canvas.width = this.canvas.width;
    this.key = null;
  }
}

export function createCanvas(container, className = '') {
  const canvas = document.createElement('canvas');
  if (className) canvas.className = className;
  container.appendChild(canvas);
  return canvas;
}
