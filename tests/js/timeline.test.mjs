import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keptNote, scrubStep, timelineLabel } from '../../static/js/timeline.js';

test('the slider asks for a step, and for live at its right end', () => {
  assert.equal(scrubStep(120, 500), 120);
  assert.equal(scrubStep(119.6, 500), 120);
  assert.equal(scrubStep(500, 500), null);
  assert.equal(scrubStep(-3, 500), 0);
});

test('the label names the step shown and how far the run went, or live', () => {
  assert.equal(timelineLabel(null, 1200), 'live · step 1,200');
  assert.equal(timelineLabel({ step: 256, first: 0, every: 8 }, 1200), 'step 256 of 1,200');
  assert.equal(timelineLabel({ step: null }, 7), 'live · step 7');
});

test('the title says how the kept steps are spaced, in the server\'s numbers', () => {
  assert.match(keptNote({ step: 8, first: 0, every: 1 }), /from 0, every step/);
  assert.match(keptNote({ step: 8, first: 0, every: 4096 }), /every 4,096 steps/);
  assert.match(keptNote(null), /Drag back/);
});
