import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanName, followerLines, followingText, hiddenParts, PANEL_PARTS, watcherLine } from '../../static/js/pacing.js';
import { joinMessage } from '../../static/js/join.js';
import { msg } from '../../static/js/protocol.js';

test('the presenter sees how many follow, the names given, and the anonymous ones counted', () => {
  const room = { watching: 5, names: ['Ada', 'Ben'], anonymous: 3 };
  assert.equal(followingText(room), '5 following');
  assert.deepEqual(followerLines(room), ['Ada', 'Ben', 'and 3 without a name']);
  assert.deepEqual(followerLines({ watching: 2, names: [], anonymous: 2 }), ['2 without a name']);
  assert.deepEqual(followerLines({ watching: 1, names: ['Ada'], anonymous: 0 }), ['Ada']);
  assert.deepEqual(followerLines({ watching: 0, names: [], anonymous: 0 }), ['nobody is following yet']);
  assert.equal(followingText(undefined), '0 following');
});

test("a pacing hides each named panel's parts, and skips a name this page does not know", () => {
  assert.deepEqual(hiddenParts({ present: true, hide: ['gradients', 'loss'] }), ['#gradients', '#loss']);
  assert.ok(hiddenParts({ hide: ['controls'] }).includes('.controlbar'));
  assert.deepEqual(hiddenParts({ hide: ['weather'] }), []);
  assert.deepEqual(hiddenParts(null), []);
  assert.deepEqual(Object.keys(PANEL_PARTS), ['controls', 'network', 'output', 'loss', 'gradients']);
});

test("a student's line says the presenter left, else what the presenter chose", () => {
  const here = { connected: true, message: 'the presenter is back' };
  const away = { connected: false, message: 'the presenter has left; training goes on until they are back' };
  assert.equal(watcherLine(here, { present: false, hide: [] }), '');
  assert.equal(watcherLine(here, { present: true, hide: [] }), 'the presenter chose presentation mode');
  assert.equal(watcherLine(here, { present: true, hide: ['loss'] }), 'the presenter has hidden some panels');
  assert.equal(watcherLine(away, { present: false, hide: ['loss'] }), away.message);
  assert.equal(watcherLine({ connected: false }, null), 'the presenter has left');
});

test('a name is trimmed and cut to 40 characters; blank is no name', () => {
  assert.equal(cleanName('  Ada  '), 'Ada');
  assert.equal(cleanName('x'.repeat(50)), 'x'.repeat(40));
  assert.equal(cleanName('   '), null);
  assert.equal(cleanName(undefined), null);
});

test("the presenter's page presents its token; a student's page never does, and sends its name", () => {
  const presenter = { session: 'K7MQ3P', token: 'secret', watch: false, name: 'Ada' };
  assert.deepEqual(joinMessage(presenter, null), msg.join('K7MQ3P', 'secret', null, false));
  assert.equal(joinMessage(presenter, null).name, undefined); // a presenter is not on the list
  // The students' link opened on the presenter's laptop (its token stored) watches.
  const preview = { ...presenter, watch: true };
  assert.deepEqual(joinMessage(preview, null), { ...msg.join('K7MQ3P', null, null, true), name: 'Ada' });
  assert.equal(joinMessage({ ...preview, name: null }, null).name, undefined);
});

test('pace sends presentation mode and the hidden panels', () => {
  assert.deepEqual(msg.pace(1, ['loss']), { type: 'pace', present: true, hide: ['loss'] });
});
