import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paintList, viewOf } from '../../static/js/paint.js';

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
