// A hovered filter weight's sum (static/js/filter-sum.js): one request at a time, asked again
// when a newer step is drawn, an answer about another weight not shown, and the server's
// numbers written in words as they came.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FilterSum, request, sumText } from '../../static/js/filter-sum.js';

const ANSWER = {
  type: 'filter_sum', layer: 0, weight: [1, 0, 2, 0], step: 3, positions: 144, sum: -0.09011, dW_sample: -0.09012,
  top: [{ at: [4, 7], input: [5, 6], x: 0.93, delta: -0.0907, term: -0.0843 }], batch: { dW: 0.0411, batch_size: 8, step: 3 },
};

test('a weight is asked about once, again after a newer step, and its answer shown', () => {
  const sent = [];
  const shown = [];
  const fs = new FilterSum((m) => sent.push(m), (m) => shown.push(m), () => 0);
  fs.choose(0, [1, 0, 2, 0]);
  fs.choose(0, [1, 0, 2, 0]);
  fs.choose(0, [2, 0, 2, 0]); // hovered on while the first is in flight: asked when it comes back
  assert.deepEqual(sent, [request(0, [1, 0, 2, 0])]);
  fs.receive(ANSWER); // about the weight no longer wanted
  assert.deepEqual(shown, []);
  assert.deepEqual(sent.at(-1), request(0, [2, 0, 2, 0]));
  fs.receive({ ...ANSWER, weight: [2, 0, 2, 0] });
  assert.deepEqual(shown.at(-1).weight, [2, 0, 2, 0]);
  fs.stepped(3);
  assert.equal(sent.length, 2, 'the same step: nothing to ask');
  fs.stepped(4);
  assert.equal(sent.length, 3);
  fs.receive({ type: 'error', id: 'filter_sum', field: 'type', message: 'return to live' });
  assert.deepEqual(shown.at(-1), { error: 'return to live' });
  fs.clear();
  assert.equal(shown.at(-1), null);
  fs.stepped(5);
  assert.equal(sent.length, 3, 'nothing asked once put away');
});

test('the answer in words carries the server\'s numbers, counted from 1', () => {
  const t = sumText(ANSWER);
  assert.equal(t.sum, 'dW[2, 1, 3, 1] = Σ over 144 positions of x × δ = -0.09011 (this image\'s dW: -0.09012)');
  assert.match(t.batch, /dW\[2, 1, 3, 1\] = 0\.0411: the mean of such sums over its 8 images \(step 3/);
  assert.match(t.top, /0\.93 × -0\.0907 = -0\.0843/);
  assert.match(sumText({ ...ANSWER, batch: null, top: [] }).batch, /No step yet/);
});

test('a request never answered (dropped past the rate limit) is sent again after a while', () => {
  const sent = [];
  let t = 0;
  const fs = new FilterSum((m) => sent.push(m), () => {}, () => t);
  fs.choose(0, [1, 0, 2, 0]);
  t = 500;
  fs.stepped(7);
  assert.equal(sent.length, 1, 'still in flight');
  t = 2000;
  fs.stepped(8);
  assert.equal(sent.length, 2);
  fs.receive(ANSWER);
  assert.equal(fs.asked, false);
});
