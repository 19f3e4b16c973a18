import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CachedLayer, Overlay } from '../../static/js/canvas.js';

// Canvases as far as CachedLayer uses them: a 2D context that records its drawImage calls.
function fakeCanvas(width, height, scale = 1) {
  const ctx = {
    transform: { a: scale, d: scale },
    copies: [],
    getTransform() { return this.transform; },
    setTransform(t) { if (typeof t === 'object') this.transform = t; },
    save() {}, restore() {},
    drawImage(image) { this.copies.push(image); },
  };
  const canvas = { width, height, getContext: () => ctx };
  ctx.canvas = canvas;
  return canvas;
}

test('a cached layer is painted again only when its key, its canvas size or its scale changes', () => {
  globalThis.document = { createElement: () => fakeCanvas(0, 0) };
  const target = fakeCanvas(300, 200).getContext('2d');
  const layer = new CachedLayer();
  let paints = 0;
  const draw = (key) => layer.draw(target, key, () => { paints += 1; });
  draw('a');
  draw('a');
  assert.equal(paints, 1, 'the same key: copied, not painted');
  assert.equal(target.copies.length, 2, 'copied onto the canvas every time');
  assert.equal(target.copies[0], layer.canvas);
  draw('b');
  assert.equal(paints, 2, 'a new key');
  target.canvas.width = 600;
  draw('b');
  assert.equal(paints, 3, 'the canvas was resized');
  assert.equal(layer.canvas.width, 600, 'the layer follows the canvas size');
  target.transform = { a: 2, d: 2 };
  draw('b');
  assert.equal(paints, 4, 'a new device-pixel ratio or zoom');
  draw('b');
  assert.equal(paints, 4);
});

test('an overlay is painted again only when its key, its canvas size or its scale changes, and never copied', () => {
  const appended = [];
  globalThis.document = { createElement: () => Object.assign(fakeCanvas(0, 0), { style: {} }) };
  const below = fakeCanvas(300, 200).getContext('2d');
  const overlay = new Overlay({ appendChild: (c) => appended.push(c) }, 'text');
  assert.deepEqual(appended, [overlay.canvas], 'stacked in the same box');
  assert.equal(overlay.canvas.style.pointerEvents, 'none', 'the canvas below hears the mouse');
  let paints = 0;
  const draw = (key) => overlay.draw(below, key, () => { paints += 1; });
  draw('a');
  draw('a');
  assert.equal(paints, 1, 'the same key: left as it is');
  assert.equal(below.copies.length, 0, 'nothing copied onto the canvas below');
  assert.equal(overlay.canvas.width, 300);
  draw('b');
  assert.equal(paints, 2, 'a new key');
  below.canvas.height = 400;
  draw('b');
  assert.equal(paints, 3, 'the canvas was resized');
  assert.equal(overlay.canvas.height, 400, 'the overlay follows its size');
  below.transform = { a: 2, d: 2 };
  draw('b');
  assert.equal(paints, 4, 'a new device-pixel ratio or zoom');
  overlay.clear();
  draw('b');
  assert.equal(paints, 5, 'cleared: painted again');
});
