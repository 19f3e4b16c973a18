// The divergence banner (static/js/banner.js) says what the server says: which step
// diverged and which one is shown, so it agrees with the step counter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Banner } from '../../static/js/banner.js';

const element = () => ({ textContent: '', title: '', dataset: {}, hidden: true });

test('the banner names the step that diverged and the one shown, in the server’s words', () => {
  const banner = new Banner(element(), element());
  banner.setDiverged(1639, 'step 1639 diverged (loss or weights not finite); showing step 1638, the last finite one');
  assert.equal(banner.el.textContent,
    'Step 1639 diverged (loss or weights not finite); showing step 1638, the last finite one — press reset');
  assert.equal(banner.el.dataset.kind, 'diverged');
  assert.equal(banner.el.hidden, false);
  banner.setDiverged(null, 'ignored');
  assert.equal(banner.el.hidden, true);
  banner.setDiverged(7); // a server that sends no message still gets a true line
  assert.equal(banner.el.textContent, 'Step 7 diverged — press reset');
});

test('no room on the server is said until the page gets in, over the errors that come and go', () => {
  const banner = new Banner(element(), element());
  banner.showError('session: the server is full (1 session); try again in a minute');
  banner.showNoRoom('the server is full (1 session); try again in a minute');
  assert.equal(banner.el.textContent, 'The server is full (1 session); try again in a minute — this page tries again by itself');
  assert.equal(banner.el.hidden, false);
  banner.showError('session: the server is full (1 session); try again in a minute'); // asked again: refused again
  assert.match(banner.el.textContent, /^The server is full .* tries again by itself$/);
  banner.setDiverged(3);
  assert.match(banner.el.textContent, /^The server is full/);
  banner.showNoRoom(null); // joined: the refusal is gone, the divergence shows
  assert.equal(banner.el.textContent, 'Step 3 diverged — press reset');
});
