// The diagram's links: one per weight, coloured by sign and sized by magnitude of W, dW
// or ΔW. Geometry (and its samples for hit-testing) is computed once per layout; a paint
// only sorts the links into look-alike buckets and strokes one path per bucket.

import { DIVERGING, lutIndex } from './colors.js';

const WIDEST = 7.8; // px, a link of the scale's full magnitude in a roomy layer
const STEPS = 14; // width steps of a link, 0 (near zero) .. STEPS (the scale's magnitude)
const COLOURS = 64; // colour bins over the diverging scale
const BUCKETS = (STEPS + 1) * COLOURS;
const INK = 2; // a layer's links may cover its strip about this many times over
const INVISIBLE = 0.25; // px: a link drawn thinner than this (and near white) is not drawn
const SAMPLES = 14; // segments per link for hit-testing
const STRIP_MIN = 256; // a layer with this many links is kept as an image (LinkStrips)
const LIVE_BUDGET = 4096; // links repainted into strips per paint while the run plays (LinkStrips.due)

/**
 * Per weight layer i (columns i -> i+1): {widest, straight, faint}. A layer's links share
 * the strip between its two columns, so the widest link shrinks as their number grows: a
 * 32×32 layer on a narrow strip gets hairlines (under a pixel: drawn fainter, not wider),
 * which keep sign and size readable where 8-px links would only paint the strip over.
 * Hairline layers are drawn straight (a curve costs several times more to rasterize and
 * shows nothing more there). compact: the first layer's links (pixels) are faint.
 */
export function linkStyles(sizes, gapX, compact = false) {
  return sizes.slice(1).map((nOut, i) => {
    const widest = Math.max(1, Math.min(WIDEST, (INK * 2 * gapX) / (sizes[i] * nOut)));
    return { widest, straight: widest <= 1, faint: compact && i === 0 };
  });
}

/** A link's width in px for width step w (0..STEPS) in a layer of that style. */
export function linkWidth(style, w) {
  if (style.faint) return 0.5 + w * 0.15;
  return (style.widest * (0.8 + w * 0.5)) / WIDEST;
}

/** One link per weight, ordered by layer, a, b, sampled for hit-testing: [{layer, a, b, pts, curved}]. */
export function layoutLinks(nodes, styles) {
  const links = [];
  for (let i = 0; i + 1 < nodes.length; i++) {
    const sample = styles[i].straight ? linePoints : bezierPoints;
    for (let a = 0; a < nodes[i].length; a++) {
      for (let b = 0; b < nodes[i + 1].length; b++) {
        const p0 = nodes[i][a];
        const p1 = nodes[i + 1][b];
        const pts = sample(p0.x + p0.s / 2, p0.y, p1.x - p1.s / 2, p1.y);
        links.push({ layer: i, a, b, pts, curved: !styles[i].straight });
      }
    }
  }
  return links;
}

/** The link of W[a, b] in weight layer `layer` (links in layoutLinks' order), or undefined. */
export function findLink(links, nodes, layer, a, b) {
  if (!nodes[layer + 1] || a >= nodes[layer].length || b >= nodes[layer + 1].length) return undefined;
  let i = 0;
  for (let l = 0; l < layer; l++) i += nodes[l].length * nodes[l + 1].length;
  return links[i + a * nodes[layer + 1].length + b];
}

const colourCss = Array.from({ length: COLOURS }, (_, c) => {
  const k = ((c << 2) + 2) * 3;
  return `rgb(${DIVERGING[k]},${DIVERGING[k + 1]},${DIVERGING[k + 2]})`;
});
// Reused from paint to paint: a bucket per link, and the links in bucket order.
const scratch = { keys: new Int32Array(0), order: new Int32Array(0), counts: new Int32Array(BUCKETS + 1) };

/**
 * Stroke every link by the value of layers[link.layer][mode] over [-scale, scale]: per
 * layer, links that look alike (width step, colour bin) share one path, thin ones first.
 * strips (a LinkStrips, optional): big layers are kept as images, redrawn only when a link
 * changes its look; live (the run is playing): LinkStrips.due may spread that over paints.
 */
export function drawLinks(ctx, links, styles, layers, mode, scale, hovered, strips = null, live = false) {
  if (scratch.keys.length < links.length) {
    scratch.keys = new Int32Array(links.length);
    scratch.order = new Int32Array(links.length);
  }
  // Every layer's buckets first: which strips to repaint depends on all of them.
  const ranges = [];
  let start = 0;
  for (let layer = 0; layer < styles.length; layer++) {
    let end = start;
    while (end < links.length && links[end].layer === layer) end++;
    const L = layers[layer];
    const arr = L && L[mode];
    if (arr) {
      bucketLinks(links, start, end, arr, L.nOut, styles[layer], scale, scratch.keys);
      ranges.push({ layer, start, end, big: !!strips && end - start >= STRIP_MIN });
    }
    start = end;
  }
  const due = strips ? strips.due(ctx, links, ranges.filter((r) => r.big), scratch.keys, `${mode}|${scale}`, live) : null;
  ctx.lineCap = 'round';
  for (const { layer, start, end, big } of ranges) {
    const paint = (c) => strokeBuckets(c, links, start, end, styles[layer], scratch);
    if (big) strips.draw(ctx, layer, links, start, end, scratch.keys, paint, due.has(layer));
    else paint(ctx);
  }
  ctx.globalAlpha = 1;
  const link = hovered && links.find((l) => l.layer === hovered.layer && l.a === hovered.a && l.b === hovered.b);
  if (link) {
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 2;
    ctx.setLineDash([5, 3]);
    ctx.beginPath();
    tracePoints(ctx, link);
    ctx.stroke();
    ctx.setLineDash([]);
  }
}

/**
 * keys[i]: the bucket of link i (width step × colour bin), or BUCKETS: too thin to see.
 * Hairlines take every third width step and every fourth colour bin: on a line under a
 * pixel wide finer steps do not show, and fewer buckets mean fewer strokes.
 */
function bucketLinks(links, start, end, arr, nOut, style, scale, keys) {
  const coarse = style.straight;
  for (let i = start; i < end; i++) {
    const v = arr[links[i].a * nOut + links[i].b];
    let colour = lutIndex(v, -scale, scale) >> 2;
    let w = Math.round(Math.min(1, Math.abs(v) / scale) * STEPS) || 0;
    if (coarse) {
      colour = (colour & ~3) + (colour < COLOURS / 2 ? 0 : 3); // the bin's outer end: never paler than the link
      w = Math.min(STEPS, Math.round(w / 3) * 3);
    }
    keys[i] = linkWidth(style, w) < INVISIBLE ? BUCKETS : w * COLOURS + colour;
  }
}

function strokeBuckets(ctx, links, start, end, style, { keys, order, counts }) {
  // Counting sort: offsets of each bucket in `order`.
  counts.fill(0);
  for (let i = start; i < end; i++) counts[keys[i]] += 1;
  let sum = 0;
  for (let k = 0; k <= BUCKETS; k++) { const c = counts[k]; counts[k] = sum; sum += c; }
  for (let i = start; i < end; i++) order[counts[keys[i]]++] = i;
  // counts[k] is now the end of bucket k; bucket k starts where k - 1 ends.
  ctx.globalAlpha = style.faint ? 0.35 : 1;
  let from = 0;
  for (let k = 0; k < BUCKETS; k++) {
    const to = counts[k];
    if (to === from) continue;
    ctx.strokeStyle = colourCss[k % COLOURS];
    ctx.lineWidth = linkWidth(style, Math.floor(k / COLOURS));
    ctx.beginPath();
    for (let j = from; j < to; j++) tracePoints(ctx, links[order[j]]);
    ctx.stroke();
    from = to;
  }
  ctx.globalAlpha = 1;
}

/**
 * A big layer's links as an image, in device pixels: repainted when one of its links
 * changes bucket (or the layout, the scale of the canvas, the mode or the links' scale),
 * otherwise copied. While the run plays, a paint repaints changed strips up to `budget`
 * links, those waiting longest first: a 16×32 network's 15 big layers (~15 ms of strokes
 * when all change) are refreshed over a few paints. A paused or stepped run's frame is
 * drawn whole, and a new mode or scale repaints every strip at once (the legend must match).
 */
export class LinkStrips {
  constructor(makeCanvas = () => document.createElement('canvas'), budget = LIVE_BUDGET) {
    this.makeCanvas = makeCanvas;
    this.budget = budget;
    this.strips = [];
    this.paints = 0;
    this.repaints = 0; // for the tests
    this.waiting = 0; // big layers drawn from an older frame in the last paint, for the tests
  }

  /** The layers of `ranges` to repaint now (a Set); look: what else their image depends on. */
  due(ctx, links, ranges, keys, look, live) {
    this.paints += 1;
    this.look = look;
    const k = ctx.getTransform().a;
    const changed = [];
    for (const r of ranges) {
      const s = this.strips[r.layer];
      const must = !s || s.links !== links || s.k !== k || s.look !== look || !s.keys;
      if (must || !same(s.keys, keys, r.start, r.end)) changed.push({ ...r, must, since: (s && s.since) || this.paints });
    }
    const due = new Set();
    let left = live ? this.budget : Infinity;
    changed.sort((a, b) => a.since - b.since);
    for (const c of changed) {
      if (c.must || left > 0) { due.add(c.layer); left -= c.end - c.start; }
      else this.strips[c.layer].since = c.since;
    }
    this.waiting = changed.length - due.size;
    return due;
  }

  draw(ctx, layer, links, start, end, keys, paint, repaint = true) {
    const k = ctx.getTransform().a;
    let s = this.strips[layer];
    if (!s || s.links !== links || s.k !== k) {
      s = this.strips[layer] = { links, k, canvas: s ? s.canvas : this.makeCanvas(), keys: null, look: null, since: 0, ...bounds(links, start, end, k) };
      s.canvas.width = s.W;
      s.canvas.height = s.H;
    }
    if (!s.keys || (repaint && !same(s.keys, keys, start, end))) {
      const c = s.canvas.getContext('2d');
      c.setTransform(1, 0, 0, 1, 0, 0);
      c.clearRect(0, 0, s.W, s.H);
      c.setTransform(k, 0, 0, k, -s.X0, -s.Y0);
      c.lineCap = 'round';
      paint(c);
      s.keys = keys.slice(start, end);
      s.look = this.look;
      s.since = 0;
      this.repaints += 1;
    }
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(s.canvas, s.X0, s.Y0);
    ctx.restore();
  }
}

/** The device-pixel box round links[start, end), room left for the widest round caps. */
function bounds(links, start, end, k) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = start; i < end; i++) {
    const p = links[i].pts;
    const n = p.length;
    x0 = Math.min(x0, p[0], p[n - 2]); x1 = Math.max(x1, p[0], p[n - 2]);
    y0 = Math.min(y0, p[1], p[n - 1]); y1 = Math.max(y1, p[1], p[n - 1]);
  }
  const pad = WIDEST / 2 + 1;
  const X0 = Math.floor((x0 - pad) * k);
  const Y0 = Math.floor((y0 - pad) * k);
  return { X0, Y0, W: Math.max(1, Math.ceil((x1 + pad) * k) - X0), H: Math.max(1, Math.ceil((y1 + pad) * k) - Y0) };
}

function same(prev, keys, start, end) {
  if (prev.length !== end - start) return false;
  for (let i = start; i < end; i++) if (prev[i - start] !== keys[i]) return false;
  return true;
}

/** The link nearest to (px, py) within `reach` pixels, or null. */
export function nearestLink(links, px, py, reach = 6) {
  let best = null;
  let bestD = reach;
  for (const link of links) {
    const p = link.pts;
    if (px < p[0] - reach || px > p[p.length - 2] + reach) continue; // another layer's strip
    const d = distanceToPolyline(px, py, p);
    if (d < bestD) { bestD = d; best = link; }
  }
  return best;
}

function bezierPoints(x0, y0, x1, y1) {
  const mx = (x0 + x1) / 2;
  const pts = new Float64Array(2 * SAMPLES + 2);
  for (let i = 0; i <= SAMPLES; i++) {
    const t = i / SAMPLES;
    const u = 1 - t;
    // Cubic with control points (mx, y0) and (mx, y1).
    pts[2 * i] = u * u * u * x0 + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * x1;
    pts[2 * i + 1] = u * u * u * y0 + 3 * u * u * t * y0 + 3 * u * t * t * y1 + t * t * t * y1;
  }
  return pts;
}

function linePoints(x0, y0, x1, y1) {
  const pts = new Float64Array(2 * SAMPLES + 2);
  for (let i = 0; i <= SAMPLES; i++) {
    pts[2 * i] = x0 + ((x1 - x0) * i) / SAMPLES;
    pts[2 * i + 1] = y0 + ((y1 - y0) * i) / SAMPLES;
  }
  return pts;
}

/** The link as drawn (a cubic, or a straight segment), from the end points of its samples. */
export function tracePoints(ctx, { pts, curved }) {
  const n = pts.length;
  ctx.moveTo(pts[0], pts[1]);
  if (!curved) { ctx.lineTo(pts[n - 2], pts[n - 1]); return; }
  const mx = (pts[0] + pts[n - 2]) / 2;
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
