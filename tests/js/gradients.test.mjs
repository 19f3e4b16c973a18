// The gradient heatmap's words (static/js/gradients.js): its rows are named as the engine's
// warnings name layers, and its headline is the server's text, never a number of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CAPTION, firstToLast, layerName } from '../../static/js/gradients.js';

const root = new URL('../..', import.meta.url).pathname;
const python = process.env.BACKPROP_PYTHON || `${root}.venv/bin/python`;

test('the headline is the server’s text, whatever the ratio', () => {
  const text = 'hidden layer 1 / output = 0 (median over the last 20 steps)';
  assert.equal(firstToLast({ first_to_last: 0, window: 20, text }), text);
  assert.equal(firstToLast({ first_to_last: null, window: 20, text: null }), '');
  assert.equal(firstToLast(null), '');
});

test('the caption says which gradient it is', () => {
  assert.match(CAPTION, /data loss.*before clipping and regularization/);
});

const ENGINE = 'import json; from engine.words import layer_name; print(json.dumps([layer_name(i, 5) for i in range(5)]))';
test('rows are named as the engine names layers', { skip: !existsSync(python) && 'no Python with the engine' }, () => {
  const engine = JSON.parse(execFileSync(python, ['-c', ENGINE], { cwd: root, encoding: 'utf8' }));
  assert.deepEqual([0, 1, 2, 3, 4].map((l) => layerName(l, 5)), engine);
  assert.deepEqual(engine, ['hidden layer 1', 'hidden layer 2', 'hidden layer 3', 'hidden layer 4', 'output']);
});

test('a CNN\'s rows take the server\'s names (frame.health.names), a dense network\'s stay as they were', () => {
  const names = ['conv 1', 'conv 2', 'dense 1', 'output'];
  assert.deepEqual([0, 1, 2, 3].map((l) => layerName(l, 4, names)), names);
  assert.equal(layerName(1, 4, null), 'hidden layer 2');
});
