import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE_ALPHABET, codeProblem, isSessionId, newSessionId, normaliseCode } from '../../static/js/joincode.js';

test('the join code alphabet has no look-alikes: no 0/O, 1/I/L', () => {
  assert.equal(CODE_ALPHABET.length, 31);
  for (const c of '01OIL') assert.ok(!CODE_ALPHABET.includes(c), c);
});

test("a page's proposed session id is a join code: 6 characters of the alphabet, drawn without bias", () => {
  const bytes = [0, 30, 31, 255, 248, 247, 61, 62, 100, 7, 7, 7, 7];
  let at = 0;
  const draw = (n) => Uint8Array.from({ length: n }, () => bytes[at++ % bytes.length]);
  // 255 and 248 are dropped (31 × 8 = 248), 247 is the last byte kept: 247 % 31 = 30.
  assert.equal(newSessionId(draw), '2Z2ZZ2');
  const ids = new Set(Array.from({ length: 200 }, () => newSessionId()));
  assert.equal(ids.size, 200);
  for (const id of ids) assert.match(id, /^[2-9A-HJKMNP-Z]{6}$/);
  const seen = new Set([...ids].join(''));
  assert.equal(seen.size, 31, 'every character of the alphabet is drawn');
});

test('session ids: join codes, and the older 8 base64url characters so old links keep working', () => {
  for (const id of ['K7MQ3P', '222222', 'ZZZZZZ', 'Ab-_0123', 'AAAAAAAA']) assert.ok(isSessionId(id), id);
  for (const id of ['k7mq3p', 'K7MQ3O', 'K7MQ31', 'K7MQ3', 'K7MQ3PX', 'abcdefg!', '', null, undefined, 123456]) {
    assert.ok(!isSessionId(id), String(id));
  }
});

test('a typed code is upper-cased with its spaces and dashes dropped', () => {
  assert.equal(normaliseCode('k7m-q3p'), 'K7MQ3P');
  assert.equal(normaliseCode('  K7M Q3P '), 'K7MQ3P');
  assert.equal(normaliseCode('k-7-m-q-3-p'), 'K7MQ3P');
  assert.equal(normaliseCode('ab-cd-ef'), 'ABCDEF', 'a code first, though the text could be an old id');
  assert.equal(normaliseCode('Ab-_0123'), 'Ab-_0123', 'an old id is kept as typed: its case matters');
  for (const bad of ['', '   ', 'K7MQ3', 'K7MQ3P2', 'K7MQ3O', 'K7MQ31', 'K7_MQ3P', null]) {
    assert.equal(normaliseCode(bad), null, String(bad));
  }
});

test('a refused code is explained in words a student can act on', () => {
  assert.match(codeProblem(''), /type the code/);
  assert.match(codeProblem('K7MQ3'), /6 characters \(this has 5\)/);
  assert.match(codeProblem('k7mq3o'), /^O is never in a join code/);
  assert.match(codeProblem('K1M0Q3'), /^1, 0 are never/);
});
