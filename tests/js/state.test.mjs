import { test } from 'node:test';
import assert from 'node:assert/strict';
import { State } from '../../static/js/state.js';
import { readHash } from '../../static/js/urlstate.js';
import { CONFIG, SCHEMA } from './schema.mjs';

/** A State whose address bar is a string; events are recorded as [name, arg]. */
function make(hash = '') {
  const url = { hash, read: () => url.hash, write: (h) => { url.hash = h; }, absolute: (h) => `http://lab/${h}` };
  const state = new State({ url });
  const events = [];
  for (const name of ['role', 'config', 'run', 'edit', 'view', 'connected']) state.on(name, (arg) => events.push([name, arg]));
  return { state, url, events };
}

const hello = (over = {}) => ({
  type: 'hello', protocol: 1, session: 's1', role: 'controller', schema: SCHEMA, config: { ...CONFIG },
  config_version: 3, state: { running: true, step: 7, diverged_at: null }, ...over,
});

test('hello sets the session and config and mirrors them into the hash', () => {
  const { state, url, events } = make();
  state.applyHello(hello());
  assert.equal(state.session, 's1');
  assert.ok(state.isController);
  assert.equal(state.step, 7);
  assert.deepEqual(readHash(url.hash, SCHEMA), { session: 's1', watch: false, config: CONFIG });
  assert.deepEqual(events.map(([name]) => name), ['role', 'config', 'run']);
});

test('the link the page opened with: session, watch flag and config, typed by the schema', () => {
  const { state } = make('#session=s9&watch=1&hidden=8,8&residual=true');
  state.schema = SCHEMA;
  assert.deepEqual(state.readHash(), { session: 's9', config: { hidden: [8, 8], residual: true } });
  assert.equal(state.watch, true);
  assert.equal(state.shareUrl(), 'http://lab/#session=s9&watch=1');
});

test('an edit is shown at once and sent as it is: the server alone keeps the features valid', () => {
  const { state, events } = make();
  state.applyHello(hello({ config: { ...CONFIG, dataset: 'circle', features: ['x1', 'x2'] } }));
  events.length = 0;
  state.edit({ dataset: 'sine' });
  assert.deepEqual(events, [['edit', { dataset: 'sine' }], ['config', { ...state.config, dataset: 'sine' }]]);
});

test('quick edits build on each other until the server confirms them', () => {
  const { state, url } = make();
  state.applyHello(hello());
  const before = url.hash;
  state.edit({ hidden: [8, 3, 1, 4] });
  state.edit({ hidden: [8, 3, 1, 4, 4] });
  assert.deepEqual(state.effectiveConfig().hidden, [8, 3, 1, 4, 4]);
  assert.equal(url.hash, before); // only the accepted config goes into the link
  // The first set answered: the second is still in flight and still shown.
  state.applyConfig({ config: { ...CONFIG, hidden: [8, 3, 1, 4] }, config_version: 4, changed: ['hidden'] });
  assert.deepEqual(state.effectiveConfig().hidden, [8, 3, 1, 4, 4]);
  state.applyConfig({ config: { ...CONFIG, hidden: [8, 3, 1, 4, 4] }, config_version: 5, changed: ['hidden'] });
  assert.deepEqual(state.pending, {});
  assert.ok(url.hash.includes('hidden=8,3,1,4,4'));
});

test('an edit the server normalised is dropped once every set of it was answered', () => {
  const { state } = make();
  state.applyHello(hello());
  state.edit({ features: ['x1', 'x2'] });
  state.applyConfig({ config: { ...CONFIG, features: ['x1'] }, config_version: 4, changed: ['features'] });
  assert.deepEqual(state.effectiveConfig().features, ['x1']);
});

test('a refused edit shows the accepted config again', () => {
  const { state } = make();
  state.applyHello(hello());
  state.edit({ learning_rate: 99 });
  state.rejectPending();
  assert.equal(state.effectiveConfig().learning_rate, CONFIG.learning_rate);
});

test('a viewer cannot edit', () => {
  const { state, events } = make();
  state.applyHello(hello({ role: 'viewer' }));
  events.length = 0;
  state.edit({ learning_rate: 1 });
  assert.deepEqual(events, []);
  assert.equal(state.watch, true); // after a server restart it waits for the presenter's session
});

test('run state and view changes are announced', () => {
  const { state, events } = make();
  const message = 'step 13 diverged (loss or weights not finite); showing step 12, the last finite one';
  state.applyRunState({ running: false, step: 12, diverged_at: 13, message });
  assert.equal(state.divergedAt, 13);
  assert.equal(state.runMessage, message); // the banner shows the server's words
  state.setView({ tab: 'layers' });
  assert.equal(state.view.tab, 'layers');
  assert.equal(state.view.lossScale, 'linear');
  assert.deepEqual(events.map(([name]) => name), ['run', 'view']);
});
