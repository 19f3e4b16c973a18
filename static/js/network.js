// The network diagram: neurons as heatmap thumbnails of their output over the
// input plane, links coloured by sign and sized by magnitude of W, dW or ΔW.
// Image inputs (64 pixels) have no thumbnails: a compact column of small squares,
// faint links, and neurons shaded by their mean activation.

import { fitCanvas, Raster, createCanvas } from './canvas.js';
import { DIVERGING, classColor, classLut, cssColor, lutIndex, paintImage, drawLegend } from './colors.js';
import { fmt, niceCeil } from './format.js';

const PAD_X = 64; // room for input labels on the left and the output caption on the right
const TOP = 26; // column captions
const BOTTOM = 44; // legends
const MODE_LABEL = { W: 'weight W', dW: 'gradient dW', dW_step: 'update ΔW' };
const COMPACT = 16; // an input column wider than this is drawn as small squares

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
    this.problem = 'classification';
    this.dataset = null;
    this.frame = null;
    this.layout = null;
    this.hover = null;
    this.scale = { W: 0, dW: 0, dW_step: 0 };
    this.canvas.addEventListener('mousemove', (e) => this.onMove(e));
    this.canvas.addEventListener('mouseleave', () => { this.hover = null; this.tooltip.hide(); this.redraw(); });
  }

  setMode(mode) { this.mode = mode; this.redraw(); }
  setProblem(problem) { this.problem = problem; }
  setDataset(dataset) { this.dataset = dataset; this.problem = dataset.problem; }
  redraw() { if (this.frame) this.update(this.frame); }

  update(frame) {
    // A new run (reset, rebuild) starts the link scale afresh: a diverged run's huge
    // weights must not leave the next run's links drawn as hairlines.
    if (this.frame && frame.run !== this.frame.run) this.scale = { W: 0, dW: 0, dW_step: 0 };
    this.frame = frame;
    const { ctx, w, h } = fitCanvas(this.canvas);
    const sizes = frame.columns.map((c) => c.size);
    if (!sizes.length) return;
    this.layout = this.computeLayout(sizes, w, h);
    const scale = this.updateScale(frame);
    this.drawLinks(ctx, frame, scale);
    this.drawNodes(ctx, frame);
    this.drawCaptions(ctx, frame);
    this.drawLegends(ctx, w, h, scale);
    if (this.hover) this.showTooltip();
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
    // Bezier samples for hit-testing links; recomputed only when the layout changes.
    const links = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      for (let a = 0; a < sizes[i]; a++) {
        for (let b = 0; b < sizes[i + 1]; b++) {
          const p0 = nodes[i][a];
          const p1 = nodes[i + 1][b];
          links.push({ layer: i, a, b, pts: bezierPoints(p0.x + p0.s / 2, p0.y, p1.x - p1.s / 2, p1.y) });
        }
      }
    }
    return { key, xs, s, nodes, links, compact };
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

  drawLinks(ctx, frame, scale) {
    const { links, compact } = this.layout;
    ctx.lineCap = 'round';
    // Links that look alike (colour bin, width step) share one path: a few
    // dozen strokes instead of thousands on a 16-wide, 8-deep network.
    const buckets = new Map();
    for (const link of links) {
      const L = frame.layers[link.layer];
      const arr = L && L[this.mode];
      if (!arr) continue;
      const v = arr[link.a * L.nOut + link.b];
      const colour = lutIndex(v, -scale, scale) >> 2;
      const width = Math.round(Math.min(1, Math.abs(v) / scale) * 14);
      // Pixel links (thousands) are drawn faint and thin in a pass of their own.
      const faint = compact && link.layer === 0 ? 1 : 0;
      const key = faint * 4096 + width * 64 + colour;
      if (!buckets.has(key)) buckets.set(key, []);
      buckets.get(key).push(link);
    }
    for (const key of [...buckets.keys()].sort((a, b) => (b >= 4096) - (a >= 4096) || (a % 4096) - (b % 4096))) {
      const colour = ((key % 64) << 2) + 2;
      const faint = key >= 4096;
      ctx.strokeStyle = `rgb(${DIVERGING[colour * 3]},${DIVERGING[colour * 3 + 1]},${DIVERGING[colour * 3 + 2]})`;
      ctx.lineWidth = faint ? 0.5 + Math.floor((key % 4096) / 64) * 0.15 : 0.8 + Math.floor(key / 64) * 0.5;
      ctx.globalAlpha = faint ? 0.35 : 1;
      ctx.beginPath();
      for (const link of buckets.get(key)) tracePoints(ctx, link.pts);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    const hovered = this.hover && this.hover.type === 'link' ? this.hover : null;
    if (hovered) {
      const link = links.find((l) => l.layer === hovered.layer && l.a === hovered.a && l.b === hovered.b);
      if (link) {
        ctx.strokeStyle = '#111';
        ctx.lineWidth = 2;
        ctx.setLineDash([5, 3]);
        ctx.beginPath();
        tracePoints(ctx, link.pts);
        ctx.stroke();
        ctx.setLineDash([]);
      }
    }
  }

  drawNodes(ctx, frame) {
    const { nodes, compact } = this.layout;
    const r = frame.grid.nodeRes;
    const total = nodes.reduce((a, c) => a + c.length, 0);
    const canPaint = r > 0 && frame.grid.nodes.every((d) => d);
    if (canPaint) this.paintAtlas(frame, r, total);
    const last = nodes.length - 1;
    const multi = this.problem === 'multiclass';
    ctx.imageSmoothingEnabled = true;
    let row = 0;
    nodes.forEach((col, j) => {
      const L = j > 0 ? frame.layers[j - 1] : null;
      col.forEach((p, k) => {
        const s = p.s;
        const x = p.x - s / 2;
        const y = p.y - s / 2;
        if (canPaint) ctx.drawImage(this.raster.canvas, 0, (row + k) * r, r, r, x, y, s, s);
        else ctx.fillStyle = this.plainFill(L, j === last, k);
        if (!canPaint) ctx.fillRect(x, y, s, s);
        const isHover = this.hover && this.hover.type === 'node' && this.hover.col === j && this.hover.k === k;
        if (multi && j === last && !isHover && col.length <= 8) {
          ctx.strokeStyle = classColor(k); // the class colour, as in the output plot
          ctx.lineWidth = 3;
          ctx.strokeRect(x - 1, y - 1, s + 2, s + 2);
        } else if (!(compact && j === 0) || isHover) {
          ctx.strokeStyle = isHover ? '#111' : '#555';
          ctx.lineWidth = isHover ? 2.5 : 1;
          ctx.strokeRect(x + 0.5, y + 0.5, s - 1, s - 1);
        }
      });
      row += col.length;
    });
    const s0 = nodes[0][0] ? nodes[0][0].s : this.layout.s;
    ctx.fillStyle = '#222';
    ctx.textBaseline = 'middle';
    if (compact) {
      // 64 pixels: one caption for the column instead of 64 names.
      const p = nodes[0][Math.floor(nodes[0].length / 2)];
      const shape = this.dataset && this.dataset.imageShape;
      ctx.font = 'bold 15px system-ui, sans-serif';
      ctx.textAlign = 'right';
      ctx.fillText(String(nodes[0].length), p.x - s0 / 2 - 6, p.y - 18);
      ctx.font = '13px system-ui, sans-serif';
      ctx.fillText('pixels', p.x - s0 / 2 - 6, p.y);
      if (shape) ctx.fillText(`${shape[0]}×${shape[1]}`, p.x - s0 / 2 - 6, p.y + 16);
    } else {
      // Input feature names to the left of the input column.
      const labels = frame.columns[0].labels || [];
      ctx.font = `${Math.max(12, Math.min(16, s0 * 0.45))}px system-ui, sans-serif`;
      ctx.textAlign = 'right';
      nodes[0].forEach((p, k) => ctx.fillText(labels[k] || `x${k + 1}`, p.x - s0 / 2 - 6, p.y));
    }
    // Class names to the right of the output neurons.
    const outLabels = frame.columns[last].labels;
    if (multi && outLabels && last > 0) {
      const col = nodes[last];
      const pitch = col.length > 1 ? col[1].y - col[0].y : 20;
      ctx.font = `bold ${Math.max(12, Math.min(15, pitch * 0.85))}px system-ui, sans-serif`;
      ctx.textAlign = 'left';
      const room = this.canvas.clientWidth - (col[0].x + col[0].s / 2 + 6) - 2;
      col.forEach((p, k) => {
        let text = outLabels[k] ?? String(k);
        if (ctx.measureText(text).width > room) text = text.replace(/^class\s*/, ''); // "class 3" -> "3"
        ctx.fillText(text, p.x + p.s / 2 + 6, p.y);
      });
    }
  }

  /** Fill of a neuron without a thumbnail (image inputs): its mean activation. */
  plainFill(L, isOutput, k) {
    if (!L) return '#c3c8cf'; // a pixel
    if (!L.a_mean || (isOutput && this.problem === 'multiclass')) return '#f4f4f2'; // outputs: named, not shaded
    return isOutput && this.problem === 'classification'
      ? cssColor(DIVERGING, 2 * L.a_mean[k] - 1, -1, 1)
      : cssColor(DIVERGING, L.a_mean[k], -1, 1);
  }

  /** All neuron thumbnails stacked in one offscreen raster: one putImageData per frame. */
  paintAtlas(frame, r, total) {
    const image = this.raster.begin(r, r * total);
    const view = new ImageData(r, r);
    let row = 0;
    const last = frame.columns.length - 1;
    frame.grid.nodes.forEach((data, j) => {
      const n = frame.columns[j].size;
      for (let k = 0; k < n; k++) {
        const values = data.subarray(k * r * r, (k + 1) * r * r);
        let lo = -1;
        let hi = 1;
        if (j === 0) {
          // Inputs span the whole plane (±6, x₁² up to 36): scale each to its own range.
          let m = 0;
          for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
          lo = -(m || 1); hi = m || 1;
        } else if (j === last && this.problem !== 'regression') {
          lo = 0; hi = 1;
        }
        // K classes: each output neuron's probability from white to its class colour.
        const lut = j === last && this.problem === 'multiclass' ? classLut(k) : DIVERGING;
        paintImage(view, values, lut, lo, hi);
        image.data.set(view.data, (row + k) * r * r * 4);
      }
      row += n;
    });
    this.raster.commit();
  }

  drawCaptions(ctx, frame) {
    const { xs } = this.layout;
    ctx.fillStyle = '#333';
    ctx.font = '13px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const gap = xs.length > 1 ? xs[1] - xs[0] : Infinity;
    frame.columns.forEach((c, j) => {
      const name = j === 0 ? 'input' : c.activation || '';
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
    const half = (w - 40) / 2;
    drawLegend(ctx, {
      x: 10, y, w: Math.min(300, half), h: 34, lut: DIVERGING, lo: -scale, hi: scale,
      title: `links: ${MODE_LABEL[this.mode]}${this.frame.layers.some((L) => L[this.mode]) ? '' : ' (none yet)'}`,
      ticks: [{ value: -scale, label: fmt(-scale, 2) }, { value: 0, label: '0' }, { value: scale, label: fmt(scale, 2) }],
    });
    const thumbs = this.frame.grid.nodeRes > 0 && this.frame.grid.nodes.every((d) => d);
    drawLegend(ctx, {
      x: Math.max(w - Math.min(300, half) - 10, 20 + Math.min(300, half)), y, w: Math.min(300, half), h: 34,
      lut: DIVERGING, lo: -1, hi: 1, title: thumbs ? 'neuron output' : 'mean activation',
      ticks: [{ value: -1, label: '−1' }, { value: 0, label: this.problem === 'classification' ? '0 (out: .5)' : '0' }, { value: 1, label: '1' }],
    });
  }

  // --- hover -----------------------------------------------------------------

  onMove(e) {
    if (!this.layout || !this.frame) return;
    const rect = this.canvas.getBoundingClientRect();
    const mx = e.clientX - rect.left;
    const my = e.clientY - rect.top;
    this.mouse = { x: e.clientX, y: e.clientY };
    this.hover = this.hitTest(mx, my);
    if (!this.hover) this.tooltip.hide();
    this.redraw();
  }

  hitTest(mx, my) {
    const { nodes, links } = this.layout;
    for (let j = 0; j < nodes.length; j++) {
      for (let k = 0; k < nodes[j].length; k++) {
        const p = nodes[j][k];
        if (Math.abs(mx - p.x) <= p.s / 2 + 2 && Math.abs(my - p.y) <= p.s / 2 + 2) return { type: 'node', col: j, k };
      }
    }
    let best = null;
    let bestD = 6;
    for (const link of links) {
      const d = distanceToPolyline(mx, my, link.pts);
      if (d < bestD) { bestD = d; best = link; }
    }
    return best ? { type: 'link', layer: best.layer, a: best.a, b: best.b } : null;
  }

  showTooltip() {
    const f = this.frame;
    const rows = [];
    let title;
    if (this.hover.type === 'link') {
      const { layer, a, b } = this.hover;
      const L = f.layers[layer];
      if (!L) return this.tooltip.hide();
      const i = a * L.nOut + b;
      title = `${nodeName(f, layer, a, this.dataset)} → ${nodeName(f, layer + 1, b, this.dataset)}`;
      rows.push(['weight', L.W && L.W[i]], ['gradient', L.dW && L.dW[i]], ['update', L.dW_step && L.dW_step[i]]);
    } else {
      const { col, k } = this.hover;
      title = nodeName(f, col, k, this.dataset);
      if (col > 0) {
        const L = f.layers[col - 1];
        rows.push(['mean activation', L && L.a_mean && L.a_mean[k]], ['bias', L && L.b && L.b[k]],
          ['bias gradient', L && L.db && L.db[k]]);
      }
    }
    this.tooltip.show(this.mouse.x, this.mouse.y, title, rows.map(([k, v]) => [k, fmt(v, 4)]));
  }
}

function nodeName(frame, col, k, dataset) {
  const count = frame.columns.length;
  const shape = dataset && dataset.inputs === 'image' && dataset.imageShape;
  if (col === 0 && shape && !frame.columns[0].labels) {
    return `pixel row ${Math.floor(k / shape[1]) + 1}, column ${(k % shape[1]) + 1}`;
  }
  if (col === 0) return `input ${(frame.columns[0].labels || [])[k] || k + 1}`;
  const labels = frame.columns[col].labels;
  if (col === count - 1) return labels && frame.columns[col].size > 1 ? `output ${labels[k] ?? k + 1}` : 'output';
  return `hidden ${col}, neuron ${k + 1}`;
}

function bezierPoints(x0, y0, x1, y1) {
  const mx = (x0 + x1) / 2;
  const pts = [];
  const N = 14;
  for (let i = 0; i <= N; i++) {
    const t = i / N;
    const u = 1 - t;
    // Cubic with control points (mx, y0) and (mx, y1).
    const x = u * u * u * x0 + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * x1;
    const y = u * u * u * y0 + 3 * u * u * t * y0 + 3 * u * t * t * y1 + t * t * t * y1;
    pts.push(x, y);
  }
  return pts;
}

/** The link's cubic, from the end points of its hit-test samples. */
function tracePoints(ctx, pts) {
  const n = pts.length;
  const mx = (pts[0] + pts[n - 2]) / 2;
  ctx.moveTo(pts[0], pts[1]);
  ctx.bezierCurveTo(mx, pts[1], mx, pts[n - 1], pts[n - 2], pts[n - 1]);
}

function distanceToPolyline(px, py, pts) {
  let best = Infinity;
  for (let i = 0; i + 3 < pts.length; i += 2) {
    const x0 = pts[i], y0 = pts[i + 1], x1 = pts[i + 2], y1 = pts[i + 3];
    const dx = x1 - x0, dy = y1 - y0;
    const len2 = dx * dx + dy * dy || 1;
    const t = Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / len2));
    const d = Math.hypot(px - (x0 + t * dx), py - (y0 + t * dy));
    if (d < best) best = d;
  }
  return best;
}
