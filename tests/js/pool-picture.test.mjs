// A pooled run's picture (static/js/pool-picture.js) as the page's widgets take it: the server's
// float32 blocks read back exactly, a plane picture as the output plot's frame and dataset, a
// loss picture as a history with each evaluated step at its own step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floats, pictureDataset, pictureFrame, pictureHistory } from '../../static/js/pool-picture.js';

const block = (values, shape = [values.length]) => {
  const bytes = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => bytes.writeFloatLE(v, 4 * i));
  return { shape, data: bytes.toString('base64') };
};

test('a block is read as little-endian float32, every value as sent', () => {
  const values = [0.1, -2.5, 1e-7, 3e38, NaN];
  const got = floats(block(values));
  assert.equal(got.length, 5);
  values.slice(0, 4).forEach((v, i) => assert.equal(got[i], Math.fround(v)));
  assert.ok(Number.isNaN(got[4]));
});

test('a plane picture of three classes is the output plot frame of a 2×2 grid and its points', () => {
  const pic = {
    kind: 'plane', problem: 'multiclass', classes: 3, class_labels: ['a', 'b', 'c'], extent: [-6, 6, -6, 6],
    output: block(Array.from({ length: 12 }, (_, i) => i / 12), [3, 2, 2]), per_class_accuracy: [1, 0.5, null],
    train: { x: block([1, 2, 3, 4], [2, 2]), y: block([0, 2]) }, test: { x: block([5, 6], [1, 2]), y: block([1]) },
  };
  const frame = pictureFrame(pic);
  assert.equal(frame.grid.res, 2);
  assert.equal(frame.grid.outputClasses, 3);
  assert.equal(frame.grid.output.length, 12);
  assert.deepEqual(frame.metrics.per_class_accuracy, [1, 0.5, null]);
  const data = pictureDataset(pic);
  assert.equal(data.problem, 'multiclass');
  assert.deepEqual([data.train.n, data.test.n], [2, 1]);
  assert.deepEqual([...data.train.x], [1, 2, 3, 4]);
  assert.deepEqual(data.classLabels, ['a', 'b', 'c']);
});

test('a loss picture puts each evaluated step at its own step, and holds no others', () => {
  const h = pictureHistory({ kind: 'loss', steps: block([10, 20, 40]), train_loss: block([1, 0.5, 0.25]), test_loss: block([2, 1, 0.5]) });
  assert.equal(h.trainLoss.base, 10);
  assert.equal(h.trainLoss.end, 41);
  assert.equal(h.trainLoss.length, 3);
  assert.deepEqual([...h.trainLoss.steps.subarray(0, 3)], [10, 20, 40]);
  assert.equal(h.trainLoss.values[1], 0.5);
  assert.equal(h.testLoss.values[2], 0.5);
  assert.equal(h.trainLoss.indexOf(30), 2); // step 30 was not evaluated: the next value is step 40's
});
