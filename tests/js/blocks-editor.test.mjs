import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frozenWith, integerChoices, newBlock, setSetting, weightLayer } from '../../static/js/blocks-editor.js';

// A blocks field as the server describes config.conv (server/schema.py, from engine/blocks.py).
const FIELD = {
  name: 'conv', kind: 'blocks', max_layers: 6,
  choices: [
    { value: 'conv', label: 'Convolution', weights: true, settings: [
      { name: 'filters', kind: 'integer', default: 8, min: 1, max: 16 },
      { name: 'kernel', kind: 'integer', default: 3, min: 1, max: 7 },
      { name: 'same', kind: 'bool', default: true }] },
    { value: 'max_pool', label: 'Max pool 2×2', weights: false, settings: [] },
  ],
};

test('a new block has its kind and every setting at the schema default, and nothing else', () => {
  assert.deepEqual(newBlock(FIELD, 'conv'), { kind: 'conv', filters: 8, kernel: 3, same: true });
  assert.deepEqual(newBlock(FIELD, 'max_pool'), { kind: 'max_pool' });
});

test('a menu offers the setting range, ends included', () => {
  assert.deepEqual(integerChoices(FIELD.choices[0].settings[1]), [1, 2, 3, 4, 5, 6, 7]);
});

test('setting one block leaves the list and the other blocks as they were', () => {
  const blocks = [newBlock(FIELD, 'conv'), newBlock(FIELD, 'max_pool'), newBlock(FIELD, 'conv')];
  const next = setSetting(blocks, 2, 'kernel', 5);
  assert.equal(next[2].kernel, 5);
  assert.equal(blocks[2].kernel, 3);
  assert.equal(next[0], blocks[0]);
});

test('a run comparing blocks is labelled by them, none saying so', async () => {
  const { runLabels } = await import('../../static/js/compareview.js');
  const blocks = [{ kind: 'conv', filters: 8, kernel: 3, stride: 1, same: true }, { kind: 'max_pool' }];
  assert.deepEqual(runLabels(FIELD, 'conv', blocks, []), { a: 'A: conv 8@3×3, max pool 2×2', b: 'B: no conv blocks' });
});

test('a conv block is the weight layer counted among the conv blocks before it; a pool is none', () => {
  const blocks = [newBlock(FIELD, 'conv'), newBlock(FIELD, 'max_pool'), newBlock(FIELD, 'conv')];
  assert.deepEqual(blocks.map((_, i) => weightLayer(blocks, i, FIELD)), [0, null, 1]);
});

test('freezing a block sets its entry of frozen, and removing it moves the later entries up', () => {
  const blocks = [newBlock(FIELD, 'conv'), newBlock(FIELD, 'max_pool'), newBlock(FIELD, 'conv')];
  const config = { hidden: [5], frozen: [] };
  assert.deepEqual(frozenWith(config, blocks, 2, FIELD, 'frozen'), ['', 'frozen', '']);
  const both = { hidden: [5], frozen: ['', 'frozen', 'frozen'] }; // conv 2 and the dense layer
  assert.deepEqual(frozenWith(both, blocks, 2, FIELD, ''), ['', '', 'frozen']);
  assert.deepEqual(frozenWith(both, blocks, 0, FIELD, '', true), ['frozen', 'frozen']);
  assert.deepEqual(frozenWith({ hidden: [], frozen: ['frozen'] }, blocks, 0, FIELD, '', true), []);
  assert.deepEqual(frozenWith(both, blocks, 1, FIELD, '', true), both.frozen, 'a pool has no entry');
});
