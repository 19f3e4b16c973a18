import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classLine, moveNotice, moves, releaseButtons, releasedNotice } from '../../static/js/pacing.js';

test('the presenter has one button, Release or Bring back; a student Try it myself, My run once kept, or Back to following', () => {
  assert.deepEqual(releaseButtons({ role: 'controller', fork: null, released: false }), { release: 'release' });
  assert.deepEqual(releaseButtons({ role: 'controller', fork: null, released: true }), { release: 'gather' });
  assert.deepEqual(releaseButtons({ role: 'viewer', fork: null, released: true, kept: null }), { try: true, reopen: false });
  assert.deepEqual(releaseButtons({ role: 'viewer', fork: null, kept: { session: 'Q4TZ8M', token: 't' } }), { try: true, reopen: true });
  // On a copy the student controls it, and only goes back: never releases others.
  assert.deepEqual(releaseButtons({ role: 'controller', fork: { of: 'K7MQ3P', released: true } }), { follow: true });
  assert.deepEqual(releaseButtons({ role: null }), {});
});

test('a copy says whose it is; a student following a released class is offered one', () => {
  assert.equal(classLine({ role: 'controller', fork: { of: 'K7MQ3P', released: true } }), 'released: this is your own copy');
  assert.equal(classLine({ role: 'controller', fork: { of: 'K7MQ3P', released: false } }), 'this is your own copy');
  assert.match(classLine({ role: 'viewer', fork: null, released: true }), /Try it myself/);
  assert.equal(classLine({ role: 'viewer', fork: null, released: false }), '');
  assert.equal(classLine({ role: 'controller', fork: null, released: true }), ''); // the presenter's own page
});

test('a move is told in words; a first hello or a reconnect is not', () => {
  const following = { session: 'K7MQ3P', role: 'viewer', fork: null };
  const copy = { session: 'Q4TZ8M', role: 'controller', fork: { of: 'K7MQ3P', released: true }, state: { step: 120 } };
  assert.equal(moveNotice(null, copy), '');
  assert.equal(moveNotice(following, copy), 'The presenter released the class: you control your own copy, at step 120');
  assert.match(moveNotice(following, { ...copy, fork: { of: 'K7MQ3P', released: false } }), /^Your own copy, at step 120/);
  assert.match(moveNotice(copy, { session: 'K7MQ3P', role: 'viewer' }), /your run is kept/);
  assert.equal(moveNotice(copy, copy), ''); // the copy's own page reconnecting
  assert.equal(moveNotice(following, { session: 'K7MQ3P', role: 'viewer' }), '');
});

test("the presenter's notice counts the students, and the messages are the protocol's", () => {
  assert.equal(releasedNotice({ released: true, students: 3 }), '3 students now explore their own copies');
  assert.equal(releasedNotice({ released: false, students: 1 }), '1 student back, following you');
  assert.deepEqual(moves.release(), { type: 'release' });
  assert.deepEqual(moves.reopen('Q4TZ8M', 'tok'), { type: 'reopen', session: 'Q4TZ8M', token: 'tok' });
});
