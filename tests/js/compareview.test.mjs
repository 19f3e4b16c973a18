import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLabels } from '../../static/js/compareview.js';
import { field } from './schema.mjs';

test('each run is named by its value of the compared setting', () => {
  assert.deepEqual(runLabels(field('activation'), 'activation', 'tanh', 'relu'), { a: 'A: Tanh', b: 'B: ReLU' });
  assert.deepEqual(runLabels(field('learning_rate'), 'learning_rate', 0.03, 0.3),
    { a: 'A: learning rate 0.03', b: 'B: learning rate 0.3' });
  assert.deepEqual(runLabels(field('residual'), 'residual', false, true), { a: 'A: residual off', b: 'B: residual on' });
  assert.deepEqual(runLabels(null, 'mystery', 'x', 'y'), { a: 'A: x', b: 'B: y' });
});
