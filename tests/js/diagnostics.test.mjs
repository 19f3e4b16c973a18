// How the page reads hello's descriptions of diagnostics and activations
// (static/js/diagnostics.js), with a hello like the server's and with the engine's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Diagnostics, activationTraits, formatMeasure } from '../../static/js/diagnostics.js';

const MEASURES = [
  { name: 'grad_norm', label: '‖dW‖', log: true, warning: 'vanishing' },
  { name: 'act_mean', label: 'activation mean', log: false },
  { name: 'dead', label: 'dead ReLUs', log: false, warning: 'dead', applies: 'can_die' },
  { name: 'saturated', label: 'saturated units', log: false, warning: 'saturated', applies: 'saturates' },
];
const HELLO = {
  diagnostics: {
    window: 20, percentiles: [0, 7, 16, 31, 50, 69, 84, 93, 100], measures: MEASURES,
    warnings: [{ code: 'exploding', title: 'Exploding gradients', watch_for: 'yellow' },
      { code: 'vanishing', title: 'Vanishing gradients', watch_for: 'a dark first row' }],
  },
  schema: [
    { name: 'learning_rate', kind: 'number' },
    { name: 'optimizer', kind: 'choice', choices: [{ value: 'sgd', label: 'SGD' }] },
    { name: 'activation', kind: 'choice', choices: [
      { value: 'relu', label: 'ReLU', can_die: true, saturates: false },
      { value: 'tanh', label: 'Tanh', can_die: false, saturates: true },
      { value: 'linear', label: 'Linear', can_die: false, saturates: false }] },
    { name: 'layer_activations', kind: 'per_layer', choices: [{ value: '', label: 'same' },
      { value: 'swish', label: 'Swish', can_die: false, saturates: false }] },
  ],
};

test('a measure with `applies` means something only for a hidden layer whose activation has that property', () => {
  const d = new Diagnostics(HELLO);
  const [grad, , dead, saturated] = MEASURES;
  assert.equal(d.applies(dead, 'relu', true), true);
  assert.equal(d.applies(dead, 'tanh', true), false);
  assert.equal(d.applies(dead, 'relu', false), false); // the output layer
  assert.equal(d.applies(saturated, 'tanh', true), true);
  assert.equal(d.applies(saturated, 'linear', true), false);
  assert.equal(d.applies(saturated, 'swish', true), false);
  assert.equal(d.applies(saturated, 'unknown', true), false);
  assert.equal(d.applies(grad, 'linear', false), true);
});

test('a hello without diagnostics is refused by name', () => {
  assert.throws(() => new Diagnostics({ schema: [] }), /hello\.diagnostics\.window is missing/);
  const { warnings, ...rest } = HELLO.diagnostics;
  assert.throws(() => new Diagnostics({ diagnostics: rest }), /hello\.diagnostics\.warnings is missing/);
});

test('activation traits come from every choice that states a property, in any field', () => {
  const traits = activationTraits(HELLO.schema, MEASURES);
  assert.deepEqual([...traits.keys()], ['relu', 'tanh', 'linear', 'swish']);
  assert.equal(activationTraits(HELLO.schema, [MEASURES[0]]).size, 0, 'no measure applies: nothing to look up');
});

test("warnings keep the engine's order and titles; unknown codes go last", () => {
  const d = new Diagnostics(HELLO);
  assert.deepEqual(['vanishing', 'later', 'exploding'].sort((a, b) => d.rank(a) - d.rank(b)),
    ['exploding', 'vanishing', 'later']);
  assert.equal(d.warning('vanishing').watch_for, 'a dark first row');
  assert.equal(d.warning('later'), null);
  assert.equal(d.measure('dead').applies, 'can_die');
});

test('percentile bands pair the outermost values first and find the median', () => {
  const d = new Diagnostics(HELLO);
  assert.deepEqual(d.bands(), { pairs: [[0, 8], [1, 7], [2, 6], [3, 5]], median: 4 });
  assert.equal(d.percentileNames(), 'min · 7 · 16 · 31 · median · 69 · 84 · 93 · max');
  const five = new Diagnostics({ ...HELLO, diagnostics: { ...HELLO.diagnostics, percentiles: [0, 10, 50, 90, 100] } });
  assert.deepEqual(five.bands(), { pairs: [[0, 4], [1, 3]], median: 2 });
  assert.equal(five.percentileNames(), 'min · 10 · median · 90 · max');
});

test('formatMeasure: shares as percentages, the rest in two significant digits', () => {
  assert.equal(formatMeasure({ log: true }, 0.000123456), '1.2e-4');
  assert.equal(formatMeasure({ log: false }, -0.456), '-0.46');
  assert.equal(formatMeasure({ unit: 'share' }, 0.4), '40%');
  assert.equal(formatMeasure({ unit: 'share' }, 0.125), '12.5%');
  assert.equal(formatMeasure({ log: true }, NaN), '–');
  assert.equal(formatMeasure({ log: true }, null), '–');
});

// The engine's own descriptions, where a Python with the engine can print them (the one
// running pytest, or this checkout's virtualenv): the page must find in them every field
// it reads.
const root = new URL('../../', import.meta.url).pathname;
const python = process.env.BACKPROP_PYTHON || `${root}.venv/bin/python`;
const ENGINE = `
import json
from engine.activations import ACTIVATIONS
from engine.diagnostics import describe
choices = [{"value": name, "label": a.label, **a.describe()} for name, a in ACTIVATIONS.items()]
print(json.dumps({"diagnostics": describe(), "schema": [{"name": "activation", "choices": choices}]}))
`;
test("the engine's describe() has what the page reads", { skip: !existsSync(python) && 'no Python with the engine' }, () => {
  const hello = JSON.parse(execFileSync(python, ['-c', ENGINE], { cwd: root, encoding: 'utf8' }));
  const d = new Diagnostics(hello);
  assert.ok(Number.isInteger(d.window) && d.window > 0);
  assert.equal(d.percentiles[d.bands().median], 50);
  for (const m of d.measures) {
    assert.equal(typeof m.name, 'string');
    assert.equal(typeof m.label, 'string');
    assert.equal(typeof m.log, 'boolean');
    if (m.warning) assert.ok(d.warning(m.warning), `${m.name} warns with ${m.warning}, which has no title`);
    if (m.applies) {
      const having = [...d.traits.keys()].filter((a) => d.applies(m, a, true));
      assert.ok(having.length > 0, `${m.name} applies to ${m.applies}, which no activation has`);
    }
  }
  for (const w of d.warnings) for (const key of ['code', 'title', 'watch_for']) assert.equal(typeof w[key], 'string');
});
