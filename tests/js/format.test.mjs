// Number formatting (static/js/format.js): every number the page shows goes through it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmt, percent, pow10Label, niceCeil } from '../../static/js/format.js';

test('fmt: significant digits in the plain range, exponent form outside it', () => {
  assert.equal(fmt(0), '0');
  assert.equal(fmt(-0), '0');
  assert.equal(fmt(1 / 3), '0.333');
  assert.equal(fmt(2 / 3, 2), '0.67');
  assert.equal(fmt(-1234.5), '-1230');
  assert.equal(fmt(0.001), '0.001');
  assert.equal(fmt(0.00099), '9.9e-4');
  assert.equal(fmt(1e-12), '1e-12');
  assert.equal(fmt(-1.5e-12), '-1.5e-12');
  assert.equal(fmt(1e12), '1e12');
  assert.equal(fmt(123456), '1.23e5');
  assert.equal(fmt(99999), '1e5'); // rounds up across the boundary: not "100000"
  assert.equal(fmt(0.00123456, 4), '0.001235');
});

test('fmt: missing and non-finite values', () => {
  assert.equal(fmt(null), '–');
  assert.equal(fmt(undefined), '–');
  assert.equal(fmt(NaN), '–');
  assert.equal(fmt(Infinity), '∞');
  assert.equal(fmt(-Infinity), '−∞');
});

test('percent', () => {
  assert.equal(percent(0), '0.0%');
  assert.equal(percent(0.1234), '12.3%');
  assert.equal(percent(1), '100.0%');
  assert.equal(percent(-0.5), '-50.0%');
  assert.equal(percent(-1e-12), '0.0%');
  assert.equal(percent(null), '–');
  assert.equal(percent(undefined), '–');
  assert.equal(percent(NaN), '–');
  assert.equal(percent(Infinity), '–');
});

test('pow10Label writes the exponent in superscript', () => {
  assert.equal(pow10Label(0), '10⁰');
  assert.equal(pow10Label(-8), '10⁻⁸');
  assert.equal(pow10Label(12), '10¹²');
  assert.equal(pow10Label(-10), '10⁻¹⁰');
});

test('niceCeil: the next 1-2-5 number at or above v', () => {
  assert.equal(niceCeil(1), 1);
  assert.equal(niceCeil(1.5), 2);
  assert.equal(niceCeil(3), 5);
  assert.equal(niceCeil(7), 10);
  assert.equal(niceCeil(0.3), 0.5);
  assert.equal(niceCeil(1e12), 1e12);
  assert.equal(niceCeil(3e12), 5e12);
  assert.equal(niceCeil(1e-12), 1e-12);
  assert.equal(niceCeil(1.5e-12), 2e-12);
  assert.equal(niceCeil(1 + 1e-12), 1); // float noise does not jump a step
});

test('niceCeil: 0, negatives and non-numbers give 1, a usable scale', () => {
  for (const v of [0, -0, -3, NaN, null, undefined, Infinity, -Infinity]) assert.equal(niceCeil(v), 1, String(v));
});
