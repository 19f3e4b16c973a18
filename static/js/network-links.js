// The diagram's links: each a cubic from one neuron to the next, sampled once per
// layout for hit-testing, coloured by sign and sized by magnitude of W, dW or ΔW.

import { DIVERGING, lutIndex } from './colors.js';

/** One link per weight, with its curve sampled for hit-testing: [{layer, a, b, pts}]. */
export function layoutLinks(nodes) {
  const links = [];
  for (let i = 0; i + 1 < nodes.length; i++) {
    for (let a = 0; a < nodes[i].length; a++) {
      for (let b = 0; b < nodes[i + 1].length; b++) {
        const p0 = nodes[i][a];
        const p1 = nodes[i + 1][b];
        links.push({ layer: i, a, b, pts: bezierPoints(p0.x + p0.s / 2, p0.y, p1.x - p1.s / 2, p1.y) });
      }
    }
  }
  return links;
}

/**
 * Stroke every link by the value of layers[link.layer][mode] over [-scale, scale];
 * compact: the first layer's links (pixels, thousands) go faint and thin.
 */
export function drawLinks(ctx, links, layers, mode, scale, compact, hovered) {
  ctx.lineCap = 'round';
  // Links that look alike (colour bin, width step) share one path: a few
  // dozen strokes instead of thousands on a 16-wide, 8-deep network.
  const buckets = new Map();
  for (const link of links) {
    const L = layers[link.layer];
    const arr = L && L[mode];
    if (!arr) continue;
    const v = arr[link.a * L.nOut + link.b];
    const colour = lutIndex(v, -scale, scale) >> 2;
    const width = Math.round(Math.min(1, Math.abs(v) / scale) * 14);
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
  const link = hovered && links.find((l) => l.layer === hovered.layer && l.a === hovered.a && l.b === hovered.b);
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

/** The link nearest to (px, py) within `reach` pixels, or null. */
export function nearestLink(links, px, py, reach = 6) {
  let best = null;
  let bestD = reach;
  for (const link of links) {
    const d = distanceToPolyline(px, py, link.pts);
    if (d < bestD) { bestD = d; best = link; }
  }
  return best;
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
