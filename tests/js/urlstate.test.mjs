import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fitsSchema, linkCorrections, parseValue, readHash, shareHash, writeHash,
} from '../../static/js/urlstate.js';
import { CONFIG, SCHEMA, field } from './schema.mjs';

test('every field kind survives the hash and back, with the session and watch flag', () => {
  const hash = writeHash(SCHEMA, CONFIG, 'abc def', true);
  assert.ok(hash.startsWith('#dataset=sine&'));
  assert.deepEqual(readHash(hash, SCHEMA), { session: 'abc def', watch: true, config: CONFIG });
});

test('a compare that is off is left out of the hash, and reads back as absent', () => {
  const hash = writeHash(SCHEMA, { ...CONFIG, compare: null });
  assert.ok(!hash.includes('compare'));
  assert.equal('compare' in readHash(hash, SCHEMA).config, false);
  assert.equal(readHash('compare=off', SCHEMA).config.compare, null);
});

test('a compare value is typed by the field it names', () => {
  assert.deepEqual(readHash('compare=residual:true', SCHEMA).config.compare, { field: 'residual', value: true });
  assert.deepEqual(readHash('compare=activation:tanh', SCHEMA).config.compare, { field: 'activation', value: 'tanh' });
  assert.equal('compare' in readHash('compare=learning_rate', SCHEMA).config, false); // no ":"
});

test('fields the link leaves out stay out: the server fills in its defaults', () => {
  const { config, session, watch } = readHash('#learning_rate=0.3', SCHEMA);
  assert.deepEqual(config, { learning_rate: 0.3 });
  assert.equal(session, null);
  assert.equal(watch, false);
  assert.deepEqual(readHash('', SCHEMA), { session: null, watch: false, config: {} });
});

test('bad values, unknown fields and kinds this page does not know are left out', () => {
  const { config } = readHash('noise=abc&samples=&nonsense=1&hologram=3&speed=0', SCHEMA);
  assert.deepEqual(config, { speed: 0 });
  assert.equal(typeof config.speed, 'number'); // a choice keeps its value's type
  assert.equal(parseValue('abc', field('noise'), true), undefined);
});

test('without a schema the values are guessed', () => {
  const { config } = readHash('hidden=8&layers=4,2&batch_norm=true&activation=relu&features=', null);
  assert.deepEqual(config, { hidden: 8, layers: [4, 2], batch_norm: true, activation: 'relu', features: [] });
});

test('a link read again with the schema: wrong guesses fixed, bad values alone, every link field named', () => {
  const started = { hidden: 8, learning_rate: 0.03, activation: 'relu', noise: 0 };
  const { fix, bad, fields } = linkCorrections('#hidden=8&learning_rate=99&activation=relu&bogus=1', SCHEMA, started);
  assert.deepEqual(fix, { hidden: [8] });
  assert.deepEqual(bad, [{ learning_rate: 99 }]);
  assert.deepEqual([...fields].sort(), ['activation', 'hidden', 'learning_rate']);
});

test('fitsSchema checks ranges, choices, lists and compare targets', () => {
  assert.ok(fitsSchema(field('noise'), 0.5));
  assert.ok(!fitsSchema(field('noise'), 0.51));
  assert.ok(!fitsSchema(field('samples'), 10.5));
  assert.ok(!fitsSchema(field('residual'), 'true'));
  assert.ok(!fitsSchema(field('activation'), 'gelu'));
  assert.ok(!fitsSchema(field('features'), []));
  assert.ok(!fitsSchema(field('layer_activations'), ['', '', '', '', '', '', 'relu']));
  assert.ok(!fitsSchema(field('hidden'), [4, 17]));
  assert.ok(fitsSchema(field('compare'), null, SCHEMA));
  assert.ok(!fitsSchema(field('compare'), { field: 'seed', value: 2 }, SCHEMA));
  assert.ok(!fitsSchema(field('compare'), { field: 'learning_rate', value: 20 }, SCHEMA));
});

test('the watch link carries the session only', () => {
  assert.equal(shareHash('s1'), '#session=s1&watch=1');
});

const CONV = {
  name: 'conv', kind: 'blocks', max_layers: 6, choices: [
    { value: 'conv', settings: [{ name: 'filters', kind: 'integer' }, { name: 'kernel', kind: 'integer' },
      { name: 'stride', kind: 'integer' }, { name: 'same', kind: 'bool' }] },
    { value: 'max_pool', settings: [] },
  ],
};

test('conv blocks travel in a link as kinds and their settings, and read back the same', () => {
  const blocks = [{ kind: 'conv', filters: 8, kernel: 3, stride: 1, same: true }, { kind: 'max_pool' },
    { kind: 'conv', filters: 16, kernel: 5, stride: 2, same: false }];
  const hash = writeHash([CONV], { conv: blocks });
  assert.equal(hash, '#conv=conv.8.3.1.1~max_pool~conv.16.5.2.0');
  assert.deepEqual(readHash(hash, [CONV]).config.conv, blocks);
  assert.deepEqual(readHash('conv=', [CONV]).config.conv, []);
  assert.equal(readHash('conv=dense.4', [CONV]).config.conv, undefined); // a kind the schema does not name
  assert.ok(fitsSchema(CONV, blocks) && !fitsSchema(CONV, [{ kind: 'dense' }]));
});
