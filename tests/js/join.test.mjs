import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRetriedLinkError, isWaitingForPresenter, protocolMismatch } from '../../static/js/join.js';
import { PROTOCOL_VERSION } from '../../static/js/protocol.js';
import { Backoff } from '../../static/js/socket.js';

test("a server speaking another protocol is named in plain words; the page's own version passes", () => {
  assert.equal(protocolMismatch(PROTOCOL_VERSION), null);
  assert.equal(protocolMismatch(2, 1), 'this page speaks protocol 1, the server 2: reload the page');
  assert.ok(protocolMismatch(undefined)); // a server too old to say
});

test("a watcher's join is retried while the presenter's session is not running", () => {
  assert.ok(isWaitingForPresenter({ type: 'error', field: 'session', message: 'this session is waiting for its presenter' }));
  assert.ok(!isWaitingForPresenter({ type: 'error', field: 'session', message: 'unknown session' }));
  assert.ok(!isWaitingForPresenter({ type: 'error', field: 'config.seed', message: 'waiting for its presenter' }));
});

test("the join's complaint about a link field sent again typed is not shown", () => {
  const fields = new Set(['hidden', 'layer_activations']);
  const err = (field, message = 'must be a list; the default was used') => ({ type: 'error', field, message });
  assert.ok(isRetriedLinkError(err('config.hidden'), fields));
  assert.ok(isRetriedLinkError(err('config.layer_activations[2]'), fields));
  assert.ok(!isRetriedLinkError(err('config.seed'), fields));
  assert.ok(!isRetriedLinkError(err('config.hidden', 'must be at most 16'), fields));
  assert.ok(!isRetriedLinkError({ type: 'error', message: 'default was used' }, fields));
});

test('reconnection waits double each time up to a cap, and start short again once accepted', () => {
  const b = new Backoff(500, 4000);
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [500, 1000, 2000, 4000, 4000]);
  b.reset();
  assert.equal(b.next(), 500);
});
