// Colour scales (static/js/colors.js): the pure parts that turn values into pixels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VIRIDIS, DIVERGING, lutIndex, cssColor, paintImage, paintRegions, classColor, CLASS_PALETTE } from '../../static/js/colors.js';

const image = (n) => ({ data: new Uint8ClampedArray(4 * n) });
const pixel = (img, i) => Array.from(img.data.subarray(4 * i, 4 * i + 4));
const lut = (table, k) => [table[3 * k], table[3 * k + 1], table[3 * k + 2], 255];

test('lutIndex maps [lo, hi] onto 0..255, clamped; NaN to 0', () => {
  assert.equal(lutIndex(-1, -1, 1), 0);
  assert.equal(lutIndex(1, -1, 1), 255);
  assert.equal(lutIndex(0, -1, 1), 127);
  assert.equal(lutIndex(-5, -1, 1), 0);
  assert.equal(lutIndex(5, -1, 1), 255);
  assert.equal(lutIndex(NaN, -1, 1), 0);
  assert.equal(cssColor(VIRIDIS, 10, 0, 1), `rgb(${VIRIDIS[765]},${VIRIDIS[766]},${VIRIDIS[767]})`);
});

test('the diverging scale runs from orange (negative) through near white to blue (positive)', () => {
  const [r0, , b0] = lut(DIVERGING, 0);
  const [r1, , b1] = lut(DIVERGING, 255);
  assert.ok(r0 > b0 && b1 > r1);
  assert.ok(lut(DIVERGING, 128).slice(0, 3).every((c) => c > 230));
});

test('paintImage colours each value by the scale, opaque', () => {
  const img = image(3);
  paintImage(img, Float32Array.from([0, 0.5, 1]), VIRIDIS, 0, 1);
  assert.deepEqual(pixel(img, 0), lut(VIRIDIS, 0));
  assert.deepEqual(pixel(img, 1), lut(VIRIDIS, 127));
  assert.deepEqual(pixel(img, 2), lut(VIRIDIS, 255));
});

test('paintRegions: each pixel takes its most probable class, stronger the surer', () => {
  // Three classes over two pixels, class-major: pixel 0 is surely class 2, pixel 1 barely class 1.
  const probs = Float32Array.from([0, 0.3, 0, 0.36, 1, 0.34]);
  const img = image(2);
  paintRegions(img, probs, 3, 2);
  // Which class's hue a pixel has: the class colour whose tint (away from white) points the same way.
  const tint = (rgb) => { const t = rgb.slice(0, 3).map((c) => 255 - c); const n = Math.hypot(...t); return t.map((c) => c / n); };
  const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  const hue = (px) => {
    const scores = [0, 1, 2].map((k) => tint(px).reduce((a, c, i) => a + c * tint(hex(classColor(k)))[i], 0));
    return scores.indexOf(Math.max(...scores));
  };
  const strong = pixel(img, 0);
  const pale = pixel(img, 1);
  assert.equal(hue(strong), 2);
  assert.equal(hue(pale), 1);
  assert.ok(Math.min(...pale.slice(0, 3)) > Math.min(...strong.slice(0, 3)), 'the unsure pixel is paler');
  assert.equal(classColor(CLASS_PALETTE.length + 1), CLASS_PALETTE[1]);
});
