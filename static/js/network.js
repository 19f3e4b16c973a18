// The network diagram: neurons as heatmap thumbnails of their output over the
// input plane, links coloured by sign and sized by magnitude of W, dW or ΔW.
// Image inputs (64 pixels) have no thumbnails: a compact column of small squares,
// faint links, and neurons shaded by their mean activation. Links, thumbnails and
// hover each have a module of their own (network-*.js).

import { Overlay, fitCanvas, pointerAt, Raster, createCanvas } from './canvas.js';
import { DIVERGING, classColor, drawLegend } from './colors.js';
import { fmt, niceCeil } from './format.js';
import { LinkStrips, drawLinks, findLink, layoutLinks, linkStyles } from './network-links.js';
import { ThumbLayer, paintAtlas, plainFill, scaleInScript } from './network-thumbs.js';
import { drawLabels } from './network-labels.js';
import { describeHover, hitTest } from './network-hover.js';
import { drawBand, drawMarks, drawPendingLinks, linkScale } from './explain-marks.js';

const PAD_X = 64; // room for input labels on the left and the output caption on the right
const TOP = 26; // column captions
const BOTTOM = 44; // legends
export const MODE_LABEL = { W: 'weight W', dW: 'gradient dW', dW_step: 'update ΔW' };
const COMPACT = 16; // an input column wider than this is drawn as small squares
const FAST_GAP_MS = 250; // frames drawn closer than this share the work of big link layers; slower ones are drawn whole
const CATCH_UP_MS = 150;

/** Centre x of each column; shared with the layer editor so buttons sit above columns. */
export function columnXs(count, width) {
  if (count <= 1) return [width / 2];
  const span = width - 2 * PAD_X;
  return Array.from({ length: count }, (_, i) => PAD_X + (i * span) / (count - 1));
}

export class NetworkDiagram {
  constructor(container, { tooltip }) {
    this.canvas = createCanvas(container, 'network-canvas');
    this.tooltip = tooltip;
    this.raster = new Raster();
    this.mode = 'W';
    this.dataset = null;
    this.frame = null;
    this.layout = null;
    this.hover = null;
    this.text = new Overlay(container, 'network-text'); // over this.canvas, which hears the mouse
    this.thumbs = new ThumbLayer();
    this.strips = new LinkStrips();
    this.whole = false; // the next paint draws every link layer of its frame (the catch-up)
    this.frameAt = -Infinity; // when the newest frame was first drawn, and the gap since the one before
    this.frameGap = Infinity;
    this.scale = { W: 0, dW: 0, dW_step: 0 };
    this.canvas.addEventListener('mousemove', (e) => this.onMove(e));
    this.canvas.addEventListener('mouseleave', () => { this.hover = null; this.tooltip.hide(); this.redraw(); });
    // Explain a step (explain.js): what to mark, and who hears a click on a link.
    this.explain = null;
    this.onPick = null;
    this.canvas.addEventListener('click', (e) => this.onClick(e));
  }

  setExplain(marks) { this.explain = marks; this.redraw(); }

  setMode(mode) { this.mode = mode; this.redraw(); }
  setDataset(dataset) { this.dataset = dataset; }
  redraw() { if (this.frame) this.update(this.frame); }

  get problem() { return this.dataset ? this.dataset.problem : 'classification'; }

  update(frame) {
    // A new run (reset, rebuild) starts the link scale afresh: a diverged run's huge
    // weights must not leave the next run's links drawn as hairlines.
    if (this.frame && frame.run !== this.frame.run) this.scale = { W: 0, dW: 0, dW_step: 0 };
    if (frame !== this.frame) {
      const now = performance.now();
      this.frameGap = now - this.frameAt;
      this.frameAt = now;
    }
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const sizes = frame.columns.map((c) => c.size);
    if (!sizes.length) { this.text.clear(); return; }
    this.layout = this.computeLayout(sizes, w, h);
    const hovered = this.hover && this.hover.type === 'link' ? this.hover : null;
    const marks = this.explain;
    if (marks) drawBand(ctx, this.layout, marks);
    let scale;
    let waiting = 0; // big link layers still showing an older frame (LinkStrips.due)
    if (marks && marks.links) { // the backward pass: this sample's ∂L/∂w on the layers it has reached
      scale = niceCeil(linkScale(marks.links));
      drawPendingLinks(ctx, this.layout.links, marks.links);
      drawLinks(ctx, this.layout.links, this.layout.styles, marks.links, 'dW', scale, hovered);
    } else {
      scale = this.updateScale(frame);
      // Playing, frames coming fast: big layers may follow over a few paints (LinkStrips.due).
      const live = !!frame.running && !this.whole && this.frameGap < FAST_GAP_MS;
      drawLinks(ctx, this.layout.links, this.layout.styles, frame.layers, this.mode, scale, hovered, this.strips, live);
      waiting = this.strips.waiting;
    }
    // Big layers left on an older frame's look catch up, drawn whole, if no frame follows soon.
    this.whole = false;
    clearTimeout(this.catchUp);
    if (waiting) this.catchUp = setTimeout(() => { this.whole = true; this.redraw(); }, CATCH_UP_MS);
    this.drawNodes(ctx, frame);
    if (marks) drawMarks(ctx, this.layout, marks);
    // Names, captions and legends change with the network and the scale, not with each step.
    this.text.draw(ctx, this.textKey(frame, scale), (layer) => {
      drawLabels(layer, this.layout, frame, this.problem, this.dataset, w);
      this.drawCaptions(layer, frame);
      this.drawLegends(layer, w, h, scale);
    });
    if (this.hover) this.showTooltip();
  }

  textKey(frame, scale) {
    const m = this.explain;
    return [
      this.layout.key, frame.columns.map((c) => `${c.activation}:${c.frozen}:${c.labels}`).join(';'), scale, this.mode,
      this.problem, this.dataset && this.dataset.imageShape, !!m, !!(m && m.links), thumbsShown(frame),
      frame.layers.some((L) => L[this.mode]),
    ].join('|');
  }

  computeLayout(sizes, w, h) {
    const key = `${sizes}|${w}|${h}`;
    if (this.layout && this.layout.key === key) return this.layout;
    if (this.layout && this.layout.key.split('|')[0] !== String(sizes)) {
      this.hover = null; // the hovered link may not exist in the new network
      this.tooltip.hide();
    }
    const xs = columnXs(sizes.length, w);
    const avail = h - TOP - BOTTOM;
    // A wide input column (pixels) is packed tightly; the other columns size as usual.
    const compact = sizes.length > 1 && sizes[0] > COMPACT;
    const rest = compact ? sizes.slice(1) : sizes;
    const maxN = Math.max(...rest);
    const gapX = sizes.length > 1 ? xs[1] - xs[0] : w;
    const s = Math.max(8, Math.min(58, avail / (maxN * 1.3), gapX * 0.42));
    const pitch = Math.min(s * 1.6, avail / maxN);
    const nodes = sizes.map((n, j) => {
      const p = compact && j === 0 ? Math.min(s * 1.6, avail / n) : pitch;
      const size = compact && j === 0 ? Math.max(2, Math.min(s, p * 0.78)) : s;
      const top = TOP + (avail - p * n) / 2 + p / 2;
      return Array.from({ length: n }, (_, k) => ({ x: xs[j], y: top + k * p, s: size }));
    });
    // Links are sampled for hit-testing only when the layout changes.
    const styles = linkStyles(sizes, gapX - s, compact);
    return { key, xs, s, nodes, styles, links: layoutLinks(nodes, styles), compact };
  }

  updateScale(frame) {
    let m = 0;
    for (const L of frame.layers) {
      const arr = L[this.mode];
      if (!arr) continue;
      for (let i = 0; i < arr.length; i++) { const v = Math.abs(arr[i]); if (v > m) m = v; }
    }
    // Decay slowly so link widths do not flicker with mini-batch noise.
    const prev = this.scale[this.mode];
    const target = m > 0 ? m : prev;
    const smooth = target > prev || !prev ? target : prev * 0.97 + target * 0.03;
    this.scale[this.mode] = smooth;
    return niceCeil(smooth);
  }

  drawNodes(ctx, frame) {
    const { nodes, compact } = this.layout;
    const r = frame.grid.nodeRes;
    const canPaint = thumbsShown(frame);
    const atlas = canPaint && paintAtlas(this.raster, frame, this.problem);
    // Many small thumbnails are scaled in script, a column at a time; big ones drawn one by one.
    const inScript = canPaint && scaleInScript(ctx, this.layout.s);
    if (inScript) this.thumbs.draw(ctx, atlas, nodes, r);
    ctx.imageSmoothingEnabled = true;
    const last = nodes.length - 1;
    const multi = this.problem === 'multiclass';
    const hover = this.hover && this.hover.type === 'node' ? this.hover : null;
    ctx.beginPath(); // the plain 1-px frames, stroked together at the end
    let row = 0;
    nodes.forEach((col, j) => {
      const L = j > 0 ? frame.layers[j - 1] : null;
      col.forEach((p, k) => {
        const s = p.s;
        const x = p.x - s / 2;
        const y = p.y - s / 2;
        if (canPaint && !inScript) ctx.drawImage(this.raster.canvas, 0, (row + k) * r, r, r, x, y, s, s);
        else if (!canPaint) {
          ctx.fillStyle = plainFill(L, j === last, k, this.problem);
          ctx.fillRect(x, y, s, s);
        }
        const isHover = hover && hover.col === j && hover.k === k;
        if (multi && j === last && !isHover && col.length <= 8) {
          frameRect(ctx, classColor(k), 3, x - 1, y - 1, s + 2, s + 2); // the class colour, as in the output plot
        } else if (isHover) {
          frameRect(ctx, '#111', 2.5, x + 0.5, y + 0.5, s - 1, s - 1);
        } else if (!(compact && j === 0)) {
          ctx.rect(x + 0.5, y + 0.5, s - 1, s - 1);
        }
      });
      row += col.length;
    });
    ctx.strokeStyle = '#555';
    ctx.lineWidth = 1;
    ctx.stroke();
  }

  drawCaptions(ctx, frame) {
    const { xs } = this.layout;
    ctx.fillStyle = '#333';
    ctx.font = '13px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const gap = xs.length > 1 ? xs[1] - xs[0] : Infinity;
    frame.columns.forEach((c, j) => {
      const name = j === 0 ? 'input' : `${c.activation || ''}${c.frozen ? ' · frozen' : ''}`;
      const out = `output · ${name}`;
      // Deep networks: columns too close for "output · sigmoid" beside the last hidden caption.
      const text = j === frame.columns.length - 1 && ctx.measureText(out).width < gap - 8 ? out : name;
      // Many columns: a smaller font, then a shortened name, so neighbours never overlap.
      let size = 13;
      while (size > 10 && ctx.measureText(text).width > gap - 4) ctx.font = `${--size}px system-ui, sans-serif`;
      let shown = text;
      while (shown.length > 3 && ctx.measureText(shown).width > gap - 4) shown = shown.slice(0, -2) + '…';
      ctx.fillText(shown, xs[j], 4);
      ctx.font = '13px system-ui, sans-serif';
    });
  }

  drawLegends(ctx, w, h, scale) {
    const y = h - BOTTOM + 6;
    const half = this.explain && w < 520 ? w - 40 : (w - 40) / 2;
    drawLegend(ctx, {
      x: 10, y, w: Math.min(300, half), h: 34, lut: DIVERGING, lo: -scale, hi: scale,
      title: this.explain && this.explain.links ? 'links: sample’s ∂L/∂w'
        : `links: ${MODE_LABEL[this.mode]}${this.frame.layers.some((L) => L[this.mode]) ? '' : ' (none yet)'}`,
      ticks: [{ value: -scale, label: fmt(-scale, 2) }, { value: 0, label: '0' }, { value: scale, label: fmt(scale, 2) }],
    });
    if (this.explain && w < 520) return; // explaining in a narrow panel: the links' legend alone
    const thumbs = thumbsShown(this.frame);
    drawLegend(ctx, {
      x: Math.max(w - Math.min(300, half) - 10, 20 + Math.min(300, half)), y, w: Math.min(300, half), h: 34,
      lut: DIVERGING, lo: -1, hi: 1, title: thumbs ? 'neuron output' : 'mean activation',
      ticks: [{ value: -1, label: '−1' }, { value: 0, label: this.problem === 'classification' ? '0 (out: .5)' : '0' }, { value: 1, label: '1' }],
    });
  }

  // --- hover -----------------------------------------------------------------

  onMove(e) {
    if (!this.layout || !this.frame) return;
    const at = pointerAt(this.canvas, e);
    this.mouse = { x: e.clientX, y: e.clientY };
    this.hover = hitTest(this.layout, at.x, at.y);
    this.canvas.style.cursor = this.explain && this.hover && this.hover.type === 'link' ? 'pointer' : '';
    if (!this.hover) this.tooltip.hide();
    this.redraw();
  }

  /** Explaining: a click on a link chooses that weight. */
  onClick(e) {
    if (!this.explain || !this.onPick || !this.layout) return;
    const at = pointerAt(this.canvas, e);
    const hit = hitTest(this.layout, at.x, at.y);
    if (hit && hit.type === 'link') this.onPick([hit.layer, hit.a, hit.b]);
  }

  /**
   * Client coordinates of a point on the link of W[a, b] in weight layer `layer`, or null
   * until the diagram is drawn at the canvas's present size (for the tests).
   */
  linkPoint(layer, a, b) {
    const link = this.layout && findLink(this.layout.links, this.layout.nodes, layer, a, b);
    const rect = this.canvas.getBoundingClientRect();
    if (!link || this.layout.key.split('|').slice(1).join() !== `${Math.round(rect.width)},${Math.round(rect.height)}`) return null;
    const p = link.pts;
    const near = 2 * Math.floor(p.length / 7); // near its start, where a layer's links fan apart
    return { x: rect.left + p[near], y: rect.top + p[near + 1] };
  }

  showTooltip() {
    const tip = describeHover(this.frame, this.hover, this.dataset, this.explain && this.explain.explained);
    if (tip) this.tooltip.show(this.mouse.x, this.mouse.y, tip.title, tip.rows);
    else this.tooltip.hide();
  }
}

/** Neurons drawn as thumbnails of their output (else plain squares shaded by mean activation). */
function thumbsShown(frame) {
  return frame.grid.nodeRes > 0 && frame.grid.nodes.every((d) => d);
}

function frameRect(ctx, colour, width, x, y, w, h) {
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.strokeRect(x, y, w, h);
  ctx.restore();
}
