import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHART_EVERY, ChartPacer, RESTING, paintList, viewOf } from '../../static/js/paint.js';

// The shape of main.js's widget table.
const TABLE = [
  { name: 'stats', run: 'a' },
  { name: 'network', run: 'detail' },
  { name: 'output', run: 'a', view: 'plane' },
  { name: 'curve', run: 'a', view: 'line' },
  { name: 'gallery', run: 'a', view: 'image' },
  { name: 'outputB', run: 'b', view: 'plane' },
  { name: 'gradients', run: 'a', tab: 'heatmap' },
  { name: 'gradientsB', run: 'b', tab: 'heatmap' },
  { name: 'distributions', run: 'detail', tab: 'distributions' },
  { name: 'warningsB', run: 'b' },
];
const drawn = (opts) => paintList(TABLE, opts).map(({ entry, run }) => `${entry.name}:${run}`);

test('one run: the visible view and tab only, and nothing of run B', () => {
  assert.deepEqual(drawn({ view: 'plane', tab: 'heatmap', compare: false, netRun: 'b' }),
    ['stats:a', 'network:a', 'output:a', 'gradients:a']);
  assert.deepEqual(drawn({ view: 'line', tab: 'distributions', compare: false, netRun: 'a' }),
    ['stats:a', 'network:a', 'curve:a', 'distributions:a']);
});

test('a comparison draws run B beside A, and the detail widgets show the run the toggle picks', () => {
  assert.deepEqual(drawn({ view: 'plane', tab: 'heatmap', compare: true, netRun: 'b' }),
    ['stats:a', 'network:b', 'output:a', 'outputB:b', 'gradients:a', 'gradientsB:b', 'warningsB:b']);
  assert.deepEqual(drawn({ view: 'image', tab: 'distributions', compare: true, netRun: 'a' }),
    ['stats:a', 'network:a', 'gallery:a', 'distributions:a', 'warningsB:b']);
});

test("the output view follows the data's inputs; an unknown one shows the first", () => {
  assert.equal(viewOf(TABLE, 'line'), 'line');
  assert.equal(viewOf(TABLE, 'image'), 'image');
  assert.equal(viewOf(TABLE, 'sequence'), 'plane');
  assert.equal(viewOf(TABLE, undefined), 'plane');
});

test('while playing, the resting charts draw on every CHART_EVERY-th paint; anything else draws them at once', () => {
  const pacer = new ChartPacer();
  assert.equal(CHART_EVERY, 2);
  assert.equal(pacer.due(false), true); // the first paint (a hello, a dataset) draws everything
  // Playing: every other paint draws them, and the one between leaves them behind.
  assert.deepEqual([true, true, true, true, true, true].map((live) => pacer.due(live)), [false, true, false, true, false, true]);
  assert.equal(pacer.behind, false);
  assert.equal(pacer.due(true), false);
  assert.equal(pacer.behind, true);
  // A paint that is not a playing frame's own (a pause, a step, the last frame, a resize) draws them.
  assert.equal(pacer.due(false), true);
  assert.equal(pacer.behind, false);
  // and the next playing paint rests them again: they drew on the paint before.
  assert.equal(pacer.due(true), false);
  assert.equal(pacer.due(false), true);
  assert.equal(pacer.due(false), true);
});

test('CHART_EVERY 3 draws one playing paint in three', () => {
  const pacer = new ChartPacer(3);
  assert.deepEqual(Array.from({ length: 7 }, () => pacer.due(true)), [false, false, true, false, false, true, false]);
});

test('the charts that rest are the loss chart and the gradient heatmaps; the network and the output plot never do', () => {
  assert.deepEqual([...RESTING].sort(), ['gradients', 'gradientsB', 'loss']);
  for (const name of ['network', 'output', 'stats', 'timeline']) assert.equal(RESTING.has(name), false);
});
