// The layout of a panel's picture (static/js/panelpng.js): device pixels, the heading's strip on
// top, then the canvases where they sit, from the highest one down; hidden and scrolled-away
// canvases left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placements, pngName } from '../../static/js/panelpng.js';

test('canvases keep their places below the heading, in device pixels', () => {
  const panel = { x: 100, y: 50, width: 400, height: 300 };
  const canvases = [
    { x: 110, y: 90, width: 380, height: 200 }, // the chart
    { x: 110, y: 90, width: 380, height: 200 }, // an overlay on it, drawn after it
    { x: 0, y: 0, width: 0, height: 0 }, // hidden
    { x: 110, y: 400, width: 100, height: 100 }, // scrolled out below the panel
    { x: 120, y: 295, width: 50, height: 20 }, // a legend under the chart: the picture ends with it
  ];
  const got = placements(panel, canvases, 2, 30);
  assert.equal(got.width, 800);
  assert.equal(got.top, 90);
  assert.equal(got.height, 2 * (30 + 315 - 90));
  assert.deepEqual(got.draws, [
    { index: 0, x: 20, y: 60, w: 760, h: 400 },
    { index: 1, x: 20, y: 60, w: 760, h: 400 },
    { index: 4, x: 40, y: 470, w: 100, h: 40 },
  ]);
});

test('fractional CSS pixels round to whole device pixels; no heading, no strip', () => {
  const got = placements({ x: 0.5, y: 0, width: 100.4, height: 10 }, [{ x: 10.75, y: 1.5, width: 20, height: 5 }], 1.5);
  assert.deepEqual(got.draws, [{ index: 0, x: 15, y: 0, w: 30, h: 8 }]);
  assert.equal(got.width, 151);
  assert.equal(got.height, 8);
});

test('the file is named by panel and step', () => {
  assert.equal(pngName('network', 120), 'backprop-lab-network-step-120.png');
});
