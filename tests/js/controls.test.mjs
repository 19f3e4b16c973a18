import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alignPerLayer, allowedValues, fallbackOf, featuresNote, isShown, numberStyle, otherValue, perLayerList, plan, shownControls,
} from '../../static/js/controls/plan.js';
import { KNOWN_KINDS as KNOWN } from '../../static/js/controls/index.js';
import { CONFIG, SCHEMA, field } from './schema.mjs';

const names = (controls) => controls.map((c) => c.name);

test('every field of a known kind gets a control; per-layer fields come after the layer editor', () => {
  const p = plan(SCHEMA, KNOWN);
  assert.deepEqual(names(p), ['dataset', 'noise', 'samples', 'features', 'hidden', 'activation', 'residual',
    'learning_rate', 'optimizer', 'momentum', 'beta1', 'seed', 'compare', 'speed', 'layer_activations']);
  const seed = p.find((c) => c.name === 'seed');
  assert.deepEqual([seed.label, seed.group, seed.id], ['Seed', 'network', 'field-seed']); // label from the name
});

test('a kind the page does not know, and per-layer fields without a layer editor, get nothing', () => {
  assert.ok(!names(plan(SCHEMA, KNOWN)).includes('hologram'));
  assert.deepEqual(names(plan(SCHEMA.filter((f) => f.kind !== 'layers'), KNOWN)).filter((n) => n === 'layer_activations'), []);
  assert.deepEqual(plan([{ name: 'x', kind: 'hologram' }], KNOWN), []);
});

test('`when` rules: each optimizer shows its own settings, each dataset its own', () => {
  const shown = (config) => names(shownControls(SCHEMA, config, KNOWN));
  assert.ok(shown({ ...CONFIG, optimizer: 'sgd' }).includes('momentum'));
  assert.ok(!shown({ ...CONFIG, optimizer: 'sgd' }).includes('beta1'));
  assert.ok(shown({ ...CONFIG, optimizer: 'adam' }).includes('beta1'));
  assert.ok(!shown({ ...CONFIG, optimizer: 'adam' }).includes('momentum'));
  assert.ok(!shown({ ...CONFIG, dataset: 'digits' }).includes('samples'));
});

test('a new optimizer listed in the schema shows its own settings, with their own defaults and help', () => {
  const lion = [
    ...SCHEMA.map((f) => (f.name === 'optimizer' ? { ...f, choices: [...f.choices, { value: 'lion', label: 'Lion' }] } : f)),
    { name: 'lion_beta2', label: 'β₂', kind: 'number', default: 0.99, group: 'training', min: 0, max: 0.9999,
      help: 'decay of the momentum used for the update', when: { optimizer: ['lion'] } },
  ];
  const config = { ...CONFIG, optimizer: 'lion' }; // the server's config may not list the new name yet
  const c = shownControls(lion, config, KNOWN).find((x) => x.name === 'lion_beta2');
  assert.deepEqual([c.value, c.group, c.help], [0.99, 'training', 'decay of the momentum used for the update']);
  assert.equal(shownControls(lion, { ...config, lion_beta2: 0.9 }, KNOWN).find((x) => x.name === 'lion_beta2').value, 0.9);
  assert.ok(!names(shownControls(lion, { ...config, optimizer: 'adam' }, KNOWN)).includes('lion_beta2'));
});

test('the features that apply come from the chosen dataset', () => {
  assert.deepEqual(allowedValues(SCHEMA, 'features', { dataset: 'sine' }), ['x1', 'sinx1']);
  assert.deepEqual(allowedValues(SCHEMA, 'features', { dataset: 'digits' }), []);
  assert.equal(allowedValues(SCHEMA, 'hidden', { dataset: 'sine' }), null);
});

test('numbers: presets as a menu, bounded ones as sliders, others in a box', () => {
  assert.equal(numberStyle(field('learning_rate')), 'presets');
  assert.equal(numberStyle(field('noise')), 'slider');
  assert.equal(numberStyle(field('samples')), 'slider');
  assert.equal(numberStyle(field('seed')), 'box'); // a range too wide to slide through
  assert.equal(numberStyle({ kind: 'number', min: 0 }), 'box');
});

test('run B starts one step away from run A', () => {
  assert.equal(otherValue(field('activation'), 'tanh'), 'relu');
  assert.equal(otherValue(field('residual'), false), true);
  assert.equal(otherValue(field('learning_rate'), 0.03), 0.1);
  assert.equal(otherValue(field('learning_rate'), 1), 0.001);
  assert.equal(otherValue(field('noise'), 0.3), 0.5); // doubled, within the range
});

test('per-layer lists: the network-wide fallback, one entry per layer, kept aligned', () => {
  assert.equal(fallbackOf(field('layer_activations'), SCHEMA).name, 'activation');
  assert.deepEqual(perLayerList([], 3, 1, 'relu'), ['', 'relu', '']);
  assert.deepEqual(perLayerList(['', 'relu', ''], 3, 1, ''), []);
  assert.deepEqual(alignPerLayer(['tanh', 'relu', ''], 2, { removed: 0 }), ['relu', '']);
  assert.deepEqual(alignPerLayer(['tanh', 'relu'], 3, { added: 1 }), ['tanh', '', 'relu']);
  assert.deepEqual(alignPerLayer([], 3, { added: 0 }), []);
});

test('the features note says what the inputs are when features do not apply', () => {
  assert.equal(featuresNote(SCHEMA, { dataset: 'circle' }, null), '');
  assert.match(featuresNote(SCHEMA, { dataset: 'sine' }, null), /x₂ do not apply/);
  assert.equal(featuresNote(SCHEMA, { dataset: 'digits' }, { inputs: 'image', imageShape: [8, 8] }), 'inputs: the 64 pixels (8×8)');
});

test('a setting a CNN does not have hides while there are conv blocks', () => {
  const batchNorm = { name: 'batch_norm', when: { dataset: ['digits', 'xor'] }, without: ['conv'] };
  assert.equal(isShown(batchNorm, { dataset: 'digits', conv: [] }), true);
  assert.equal(isShown(batchNorm, { dataset: 'digits' }), true);
  assert.equal(isShown(batchNorm, { dataset: 'digits', conv: [{ kind: 'max_pool' }] }), false);
  assert.equal(isShown(batchNorm, { dataset: 'sine', conv: [] }), false); // `when` still holds
});

test('a setting hides while one of its unless rules holds', () => {
  const activation = { name: 'activation', unless: [{ dataset: ['remember'], cell: ['lstm', 'gru'] }] };
  assert.equal(isShown(activation, { dataset: 'remember', cell: 'lstm' }), false);
  assert.equal(isShown(activation, { dataset: 'remember', cell: 'rnn' }), true);
  assert.equal(isShown(activation, { dataset: 'xor', cell: 'lstm' }), true); // a cell left over from a sequence task
});
