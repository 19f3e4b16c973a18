import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newSeed } from '../../static/js/toolbar.js';

test('"new seed" draws a seed in the field\'s range, never the current one', () => {
  const f = { min: 5, max: 8 };
  const draws = [0, 0, 0.5, 0.99];
  const random = () => draws.shift();
  assert.equal(newSeed(f, 5, random), 6); // 5 twice (the current one), then 5 + floor(0.5 * 3)
  assert.equal(newSeed(f, 5, () => 0.99), 7);
  assert.equal(newSeed({}, 1, () => 0), 0);
});
