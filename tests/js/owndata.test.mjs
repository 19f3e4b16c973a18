import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64, csvOf, nearestPoint, newRow, pointsField, pointsNote } from '../../static/js/owndata.js';
import { encodePoints, fitsSchema, LINK_POINTS_CHARS, parseValue, pointsInLink, readHash, writeHash } from '../../static/js/urlstate.js';

const POINTS = { name: 'points', kind: 'points', max: 2000, columns: ['x1', 'x2', 'label'], when: { dataset: ['own'] } };
const LINE = { name: 'line_points', kind: 'points', max: 2000, columns: ['x', 'y'], when: { dataset: ['own_line'] } };
const SCHEMA = [{ name: 'dataset', kind: 'choice', choices: [{ value: 'own' }, { value: 'circle' }] }, POINTS, LINE];

test('your points travel in the link and back, while they fit', () => {
  const rows = [[1.5, -2, 1], [0, 3.25, 0]];
  const hash = writeHash(SCHEMA, { dataset: 'own', points: rows, line_points: null });
  assert.ok(hash.includes('points=1.5_-2_1~0_3.25_0') && !hash.includes('line_points'), hash);
  assert.deepEqual(readHash(hash, SCHEMA).config, { dataset: 'own', points: rows });
  assert.deepEqual(parseValue('', POINTS, true), []); // cleared: no points, not the starter set
  const many = Array.from({ length: 400 }, (_, i) => [i / 100, -i / 100, i % 6]);
  assert.ok(encodePoints(many).length > LINK_POINTS_CHARS && !pointsInLink(many));
  assert.ok(!writeHash(SCHEMA, { dataset: 'own', points: many }).includes('points='));
});

test('a link with a bad row is left to the server, a malformed one is left out', () => {
  assert.equal(parseValue('1_x_0', POINTS, true), undefined);
  assert.equal(fitsSchema(POINTS, [[1, 2]]), false); // a curve's row where points need three values
  assert.equal(fitsSchema(POINTS, [[1, 2, 0]]), true);
  assert.equal(fitsSchema(POINTS, null), true);
});

test('the points field of a dataset, and a new row where the user tapped', () => {
  assert.equal(pointsField(SCHEMA, 'own'), POINTS);
  assert.equal(pointsField(SCHEMA, 'circle'), null);
  assert.deepEqual(newRow(POINTS, 1.23456, -5.999, 2), [1.23, -6, 2]);
  assert.deepEqual(newRow(LINE, 0.5, 0.000123456), [0.5, 0.0001235]);
});

test('the point nearest a tap, within the radius, from both sets', () => {
  const train = { n: 2, x: new Float32Array([0, 0, 1, 1]), y: new Float32Array([0, 1]) };
  const test = { n: 1, x: new Float32Array([2, 2]), y: new Float32Array([1]) };
  const toPixel = ([x, y]) => ({ x: x * 100, y: y * 100 });
  assert.deepEqual(nearestPoint([train, test], toPixel, { x: 190, y: 205 }, 20), [2, 2]);
  assert.equal(nearestPoint([train, test], toPixel, { x: 50, y: 50 }, 20), null);
  assert.deepEqual(nearestPoint([train, test], toPixel, { x: 30, y: 30 }, 150), [0, 0]); // two within reach: the nearer
  const curve = { n: 1, x: new Float32Array([3]), y: new Float32Array([-1]) }; // a line: x and the target
  assert.deepEqual(nearestPoint([curve], toPixel, { x: 301, y: -99 }, 5), [3, -1]);
});

test('saved points read back as the CSV the upload takes; the note says what the link holds', () => {
  assert.equal(csvOf(POINTS, [[1, 2, 0], [3, 4, 1]]), 'x1,x2,label\n1,2,0\n3,4,1\n');
  assert.match(pointsNote([[1, 2, 0]]), /^1 point, in the page's link/);
  assert.match(pointsNote(Array(500).fill([1.25, -3.5, 1])), /^500 points: too many for the page's link/);
  assert.match(pointsNote([]), /^No points/);
  assert.match(pointsNote(null), /starter set/);
  assert.equal(base64(new Uint8Array([120, 44, 0xe9])), 'eCzp');
});
