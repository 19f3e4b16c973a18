// The class's runs (static/js/pool.js): where each run sits on the plot, and its words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolMsg, variedText } from '../../static/js/pool.js';
import { linearTicks, logTicks, plotPoints, settingText } from '../../static/js/pool-plot.js';

const LR = { name: 'learning_rate', label: 'Learning rate', kind: 'number', log: true };
const ACT = { name: 'activation', label: 'Activation', kind: 'choice', choices: [{ value: 'relu', label: 'ReLU' }, { value: 'tanh', label: 'Tanh' }] };
const run = (number, settings, extra = {}) => ({ number, name: `student ${number}`, varied: Object.keys(settings), settings, test_loss: 0.1 * number, diverged: false, ...extra });

test('a numeric setting places each run at its value, on a log axis where the schema says so', () => {
  const pool = { x: 'learning_rate', y: 'test_loss', runs: [run(1, { learning_rate: 0.003 }), run(2, { learning_rate: 3 })] };
  const { points, numeric, log } = plotPoints(pool, LR);
  assert.equal(numeric, true);
  assert.equal(log, true);
  assert.deepEqual(points.map((p) => [p.x, p.y]), [[0.003, 0.1], [3, 0.2]]);
});

test('a diverged run, or one whose measure is not finite, goes in the band; a choice is a category', () => {
  const pool = { x: 'activation', y: 'test_loss', runs: [
    run(1, { activation: 'relu' }), run(2, { activation: 'tanh' }, { diverged: true, test_loss: 1e30 }),
    run(3, { activation: 'relu' }, { test_loss: null })] };
  const { points, categories } = plotPoints(pool, ACT);
  assert.deepEqual(categories, ['ReLU', 'Tanh']);
  assert.deepEqual(points.map((p) => [p.x, p.band]), [[0, false], [1, true], [0, true]]);
});

test('a run without a value of the axis setting is not placed; a non-positive one not on a log axis', () => {
  const pool = { x: 'learning_rate', y: 'test_loss', runs: [run(1, {}), run(2, { learning_rate: 0 })] };
  assert.deepEqual(plotPoints(pool, LR).points.map((p) => p.x), [null, null]);
});

test('ticks cover the values', () => {
  assert.deepEqual(logTicks(0.003, 3), [0.001, 0.01, 0.1, 1, 10]);
  assert.deepEqual(logTicks(0.1, 0.1), [0.01, 0.1, 1]);
  assert.deepEqual(linearTicks(0, 0.7), [0, 0.2, 0.4, 0.6, 0.8]);
  const one = linearTicks(0.5, 0.5);
  assert.ok(one[0] <= 0.5 && one[one.length - 1] >= 0.5 && one.length >= 2);
});

test('what a run tried, in words; the messages it sends', () => {
  const field = (n) => ({ learning_rate: LR, activation: ACT })[n];
  assert.equal(variedText(run(1, { activation: 'relu', learning_rate: 0.3 }), field), 'activation ReLU, learning rate 0.3');
  assert.equal(variedText({ varied: [], settings: {} }, field), 'the presenter’s settings');
  assert.equal(settingText(null, [8, 8]), '8-8');
  assert.equal(settingText(null, true), 'on');
  assert.deepEqual(poolMsg.view({ shown: true }), { type: 'pool_view', shown: true });
  assert.deepEqual(poolMsg.send(), { type: 'pool_send' });
});
