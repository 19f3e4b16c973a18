import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkStrips, drawLinks, findLink, layoutLinks, linkStyles, linkWidth } from '../../static/js/network-links.js';

// Columns of neurons as network.js lays them out: x per column, y per neuron, size s.
function nodesOf(sizes, gap, pitch, s = 8) {
  return sizes.map((n, j) => Array.from({ length: n }, (_, k) => ({ x: 64 + j * gap, y: 30 + k * pitch, s })));
}

// A 2D context that records each stroke: its style, width and the links' end points traced into it.
function recorder() {
  const strokes = [];
  let path = [];
  let at = null;
  const ctx = {
    strokeStyle: '', lineWidth: 1, lineCap: '', globalAlpha: 1,
    beginPath() { path = []; },
    moveTo(x, y) { at = [x, y]; },
    lineTo(x, y) { path.push({ from: at, to: [x, y], curved: false }); },
    bezierCurveTo(_a, _b, _c, _d, x, y) { path.push({ from: at, to: [x, y], curved: true }); },
    stroke() { strokes.push({ style: ctx.strokeStyle, width: ctx.lineWidth, segments: path }); },
    setLineDash() {},
  };
  return { ctx, strokes };
}

const rgb = (css) => css.match(/\d+/g).map(Number);

test('a roomy layer keeps wide curves; a 32×32 layer on a narrow strip gets straight hairlines', () => {
  const roomy = linkStyles([2, 4, 2, 1], 154);
  assert.deepEqual(roomy.map((s) => [s.widest, s.straight]), [[7.8, false], [7.8, false], [7.8, false]]);
  const dense = linkStyles([2, 32, 32, 1], 29);
  assert.equal(dense[1].widest, 1);
  assert.equal(dense[1].straight, true);
  assert.ok(dense[0].widest > 1 && !dense[0].straight, '2×32 links still have room');
  assert.ok(linkWidth(dense[1], 14) <= 1 && linkWidth(dense[1], 14) > linkWidth(dense[1], 7), 'thinner, but still by size');
  assert.equal(linkWidth(roomy[0], 0), 0.8);
  assert.equal(linkWidth(roomy[0], 14), 7.8);
});

test('every link is stroked once, coloured by its sign and sized by its magnitude; only sub-pixel ones are dropped', () => {
  const sizes = [3, 32, 32, 1];
  const nodes = nodesOf(sizes, 37, 7.2);
  const styles = linkStyles(sizes, 29);
  const links = layoutLinks(nodes, styles);
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const layers = sizes.slice(1).map((nOut, i) => ({ nOut, W: Float32Array.from({ length: sizes[i] * nOut }, random) }));
  const { ctx, strokes } = recorder();
  drawLinks(ctx, links, styles, layers, 'W', 1, null);
  const drawn = new Map();
  for (const s of strokes) {
    for (const seg of s.segments) {
      const key = `${seg.from}|${seg.to}`;
      assert.ok(!drawn.has(key), 'a link stroked twice');
      drawn.set(key, { ...s, curved: seg.curved });
    }
  }
  let dropped = 0;
  for (const link of links) {
    const L = layers[link.layer];
    const v = L.W[link.a * L.nOut + link.b];
    const p = link.pts;
    const got = drawn.get(`${[p[0], p[1]]}|${[p[p.length - 2], p[p.length - 1]]}`);
    const step = Math.round(Math.abs(v) * 14);
    const width = linkWidth(styles[link.layer], styles[link.layer].straight ? Math.min(14, Math.round(step / 3) * 3) : step);
    if (!got) {
      dropped += 1;
      assert.ok(width < 0.25, `a link ${width} px wide was not drawn`);
      continue;
    }
    assert.equal(got.width, width);
    assert.equal(got.curved, !styles[link.layer].straight);
    const [r, , b] = rgb(got.style);
    if (Math.abs(v) > 0.1) assert.equal(b > r, v > 0, `weight ${v} drawn in ${got.style}`);
  }
  // Uniform weights: the faintest fifth or so of a hairline layer (under a quarter pixel, near white).
  assert.ok(dropped > 0 && dropped < links.length / 4, `${dropped} dropped`);
});

test('findLink finds the link of W[a, b] without a search', () => {
  const nodes = nodesOf([2, 5, 3, 1], 100, 20);
  const links = layoutLinks(nodes, linkStyles([2, 5, 3, 1], 80));
  for (const l of links) assert.equal(findLink(links, nodes, l.layer, l.a, l.b), l);
  assert.equal(findLink(links, nodes, 1, 5, 0), undefined);
  assert.equal(findLink(links, nodes, 3, 0, 0), undefined);
});

test('a big layer is repainted only when one of its links changes look; otherwise its image is copied', () => {
  const sizes = [2, 32, 32, 1];
  const nodes = nodesOf(sizes, 37, 7.2);
  const styles = linkStyles(sizes, 29);
  const links = layoutLinks(nodes, styles);
  const layers = sizes.slice(1).map((nOut, i) => ({ nOut, W: Float32Array.from({ length: sizes[i] * nOut }, (_, j) => Math.sin(j)) }));
  const painted = [];
  const strips = new LinkStrips(() => {
    const { ctx, strokes } = recorder();
    Object.assign(ctx, { setTransform() {}, clearRect() {} });
    painted.push(strokes);
    return { getContext: () => ctx };
  });
  const { ctx, strokes } = recorder();
  const copies = [];
  Object.assign(ctx, { getTransform: () => ({ a: 1 }), save() {}, restore() {}, setTransform() {}, drawImage: (c) => copies.push(c) });
  const draw = () => drawLinks(ctx, links, styles, layers, 'W', 1, null, strips);
  draw();
  assert.equal(strips.repaints, 1, 'only the 32×32 layer is big enough for an image');
  assert.equal(copies.length, 1);
  const direct = strokes.length;
  assert.ok(direct > 0 && painted[0].length > 0, 'the small layers are stroked directly, the big one into its image');
  layers[1].W[5] += 1e-4; // the same width step and colour bin
  draw();
  assert.equal(strips.repaints, 1);
  assert.equal(copies.length, 2);
  assert.equal(strokes.length, 2 * direct, 'the small layers are stroked every time');
  layers[1].W[0] = 0.9; // the layer's first link, from 0: wider and blue
  draw();
  assert.equal(strips.repaints, 2);
  assert.equal(copies.length, 3);
});

test('while playing, big layers share a budget per paint, the longest waiting first; paused or rescaled, all at once', () => {
  const sizes = [2, 32, 32, 32, 32, 1]; // three layers of 1,024 links
  const nodes = nodesOf(sizes, 37, 7.2);
  const styles = linkStyles(sizes, 29);
  const links = layoutLinks(nodes, styles);
  const strokes = []; // per strip (in the order they were made): how many paints it got
  const strips = new LinkStrips(() => {
    const i = strokes.push(0) - 1;
    const { ctx } = recorder();
    Object.assign(ctx, { setTransform() {}, clearRect() {}, stroke() { strokes[i] += 1; } });
    return { getContext: () => ctx };
  }, 1024);
  const { ctx } = recorder();
  Object.assign(ctx, { getTransform: () => ({ a: 1 }), save() {}, restore() {}, setTransform() {}, drawImage() {} });
  const layers = (t) => sizes.slice(1).map((nOut, i) => ({ nOut, W: Float32Array.from({ length: sizes[i] * nOut }, (_, j) => Math.sin(j * 0.37 + t)) }));
  const draw = (t, live, scale = 1) => {
    const before = [...strokes];
    drawLinks(ctx, links, styles, layers(t), 'W', scale, null, strips, live);
    return strokes.map((n, i) => n > (before[i] || 0));
  };
  assert.deepEqual(draw(0, false), [true, true, true], 'the first paint draws every layer');
  // Every weight moves at every paint: the budget repaints one layer a paint, in turn.
  const order = [];
  for (let t = 1; t <= 6; t++) {
    const got = draw(t, true);
    assert.equal(got.filter(Boolean).length, 1, `paint ${t}: ${got}`);
    assert.equal(strips.waiting, 2);
    order.push(got.indexOf(true));
  }
  assert.deepEqual(order, [0, 1, 2, 0, 1, 2], 'none waits more than two paints');
  assert.deepEqual(draw(7, false), [true, true, true], 'paused: the frame drawn whole');
  assert.equal(strips.waiting, 0);
  assert.deepEqual(draw(8, true, 2), [true, true, true], 'a new scale (the legend changes) repaints every layer');
});
