import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportable, exportSteps, exportUrl, fileBytes, MAX_STEPS } from '../../static/js/export.js';

test('the export rebuilds the steps run so far, 100 before the first, never past the server\'s limit', () => {
  assert.equal(exportSteps(0), 100);
  assert.equal(exportSteps(1), 1);
  assert.equal(exportSteps(2500), 2500);
  assert.equal(exportSteps(MAX_STEPS + 1), MAX_STEPS);
});

test('the export\'s route names the file, the steps and the session a proxy routes by', () => {
  assert.equal(exportUrl('py', 40, 'K7MQ3P'), '/export/torch.py?steps=40&session=K7MQ3P');
  assert.equal(exportUrl('ipynb', 0, null), '/export/torch.ipynb?steps=100');
});

test('a recurrent run is not exported: the schema shows `hidden` for feed-forward datasets only', () => {
  const hidden = { name: 'hidden', when: { dataset: ['circle', 'xor'] } };
  assert.equal(exportable({ dataset: 'xor' }, hidden), true);
  assert.equal(exportable({ dataset: 'parity' }, hidden), false);
  assert.equal(exportable({ dataset: 'xor' }, null), true); // before hello: the server decides
});

test('a file message\'s base64 becomes its bytes', () => {
  assert.deepEqual([...fileBytes(Buffer.from([0, 255, 80, 75]).toString('base64'))], [0, 255, 80, 75]);
});
