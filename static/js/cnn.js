// A convolutional network, block by block, for the chosen sample (frame.cnn): each conv
// layer's filters with their gradient dW and last update ΔW beside them, the sample's feature
// maps and its error maps δ = ∂ℓ/∂z; a pool block's maps. Every tile is one of the engine's
// arrays drawn on a diverging scale centred on 0 (its ± end is the largest |value| of that
// kind in the block, written in the legend); hovering a tile's pixel shows its number.
// Filters of several input channels show their first (a channel choice comes next).
// Hovering a feature-map or error-map pixel outlines its receptive field in the image.
// Hovering (or tapping) a filter weight asks the server for its gradient position by position
// (filter-sum.js): the terms x × δ drawn as a map, the largest outlined in the input and δ maps.

import { TILE, Strip } from './cnn-strip.js';
import { receptiveField } from './receptive.js';
import { FilterSum, place, sumText } from './filter-sum.js';

export class CnnView {
  /** choose(k): the gallery image k becomes the shown sample (the controller's page only). */
  /** send(message): to the server (a filter weight's sum); null: nothing is asked. */
  constructor(container, { tooltip, caption, send = null } = {}) {
    this.root = container;
    this.filterSum = new FilterSum(send, (m) => this.showSum(m));
    this.tooltip = tooltip;
    this.caption = caption || null;
    this.dataset = null;
    this.rows = [];
    this.key = '';
  }

  setDataset(dataset) {
    this.dataset = dataset;
  }

  update(frame) {
    const cnn = frame.cnn;
    if (!cnn) return;
    const key = JSON.stringify(cnn.blocks.map((b) => [b.kind, b.shape]));
    if (key !== this.key) this.build(cnn);
    const names = this.dataset && this.dataset.classLabels;
    const label = names && names[cnn.sample.label] !== undefined ? names[cnn.sample.label] : cnn.sample.label;
    if (this.caption) this.caption.textContent = `image ${cnn.sample.index + 1} of the gallery (label ${label})`;
    for (const row of this.rows) row.draw(cnn);
    this.filterSum.stepped(frame.step);
  }

  /** The server's `filter_sum` (or its error, whose id is filter_sum). */
  receive(m) {
    this.filterSum.receive(m);
  }

  /** A weight's terms beside its block, the weight and the largest terms marked; null: none. */
  showSum(m) {
    for (const row of this.rows) row.clearMarks();
    const want = this.filterSum.want;
    const row = want && this.rows.find((r) => r.block && r.block.layer === want.layer);
    if (!m || !row) return;
    if (m.error) { row.sum.show(null, m.error); return; }
    const [f, c, i, j] = m.weight;
    row.mark(['W', 'dW', 'dW_step'], [[f, i, j]]);
    row.mark(['delta'], m.top.map((t) => [f, ...t.at]));
    const input = m.input_block === null ? this.rows[0] : this.rows[m.input_block + 1];
    input.mark(['x', 'a'], m.top.filter((t) => t.input).map((t) => [c, ...t.input]));
    row.sum.show(m);
  }

  build(cnn) {
    this.key = JSON.stringify(cnn.blocks.map((b) => [b.kind, b.shape]));
    this.filterSum.clear(); // another network: its weights are not the ones asked about
    const input = new InputRow(this.tooltip);
    const pick = (layer, weight) => this.filterSum.choose(layer, weight);
    // A map pixel hovered (block j, row r, column c; null: none): its field in the image.
    const point = (j, r, c) => input.outline(j === null ? null : receptiveField(cnn.blocks, cnn.imageShape, j, r, c));
    this.rows = [input, ...cnn.blocks.map((block, j) => new BlockRow(j, block, this.tooltip, point, pick, () => this.filterSum.clear()))];
    this.root.replaceChildren(...this.rows.map((r) => r.el));
  }
}

/** The chosen image, on which a hovered map pixel's receptive field is outlined. */
class InputRow {
  constructor(tooltip) {
    this.el = document.createElement('section');
    this.el.className = 'cnn-input';
    this.strip = new Strip(this.el, 'x', 'the image (hover a map pixel: the pixels it sees)', tooltip, Math.round(1.5 * TILE));
  }

  draw(cnn) {
    this.strip.draw(cnn.x ? { data: cnn.x.data, shape: cnn.x.shape } : null);
  }

  outline(field) {
    this.strip.outline = field;
    this.strip.redraw();
  }

  mark(whats, marks) {
    if (whats.includes(this.strip.what)) { this.strip.marks = marks; this.strip.redraw(); }
  }

  clearMarks() {
    this.mark([this.strip.what], []);
  }
}

/** One block: a heading, and strips of tiles (one canvas each). */
class BlockRow {
  /**
   * point(j, r, c): a pixel of this block's maps is hovered (null, null, null: none);
   * pick(layer, [f, c, i, j]): a filter weight is hovered or tapped; close(): its sum is put away.
   */
  constructor(j, block, tooltip, point, pick, close) {
    this.j = j;
    this.block = block;
    this.el = document.createElement('section');
    this.el.className = 'cnn-block';
    this.el.dataset.block = String(j);
    const h = document.createElement('h3');
    const [c, hh, ww] = block.shape;
    h.textContent = block.kind === 'conv'
      ? `${j + 1}. ${block.label}: ${block.filters} filters of ${block.kernel}×${block.kernel}${block.stride > 1 ? `, stride ${block.stride}` : ''} → ${c} maps of ${hh}×${ww}`
      : `${j + 1}. ${block.label} → ${c} maps of ${hh}×${ww}`;
    this.frozenTag = document.createElement('span');
    this.frozenTag.className = 'cnn-frozen';
    this.frozenTag.textContent = 'frozen';
    this.frozenTag.title = 'no update is applied: the gradient dW is computed and shown, ΔW stays 0';
    this.frozenTag.hidden = true;
    h.append(' ', this.frozenTag);
    this.el.append(h);
    const kinds = block.kind === 'conv'
      ? [['W', 'filters W (input channel 1)'], ['dW', 'their gradient dW (batch)'], ['dW_step', 'last update ΔW'],
        ['a', 'feature maps of the image'], ['delta', 'error maps δ = ∂ℓ/∂z']]
      : [['a', 'pooled maps of the image']];
    this.strips = kinds.map(([what, title]) => new Strip(this.el, what, title, tooltip));
    for (const s of this.strips) {
      if (s.what === 'a' || s.what === 'delta') s.onPixel = (r, c) => point(r === null ? null : j, r, c);
      // the filters drawn are their first input channel's
      else s.onPixel = (r, c, t) => { if (r !== null) pick(block.layer, [t, 0, r, c]); };
    }
    this.sum = block.kind === 'conv' ? new SumPanel(this.el, tooltip, close) : null;
    if (this.sum) this.strips[2].canvas.parentElement.after(this.sum.el); // below the weights, above the maps
  }

  mark(whats, marks) {
    for (const s of this.strips) if (whats.includes(s.what)) { s.marks = marks; s.redraw(); }
  }

  clearMarks() {
    this.mark(this.strips.map((s) => s.what), []);
    if (this.sum) this.sum.show(null);
  }

  draw(cnn) {
    const layer = this.block.layer !== null ? cnn.layers[this.block.layer] : null;
    // Frozen (the frame's word, live): its gradient is still drawn, its update is 0.
    const frozen = !!(cnn.blocks[this.j] && cnn.blocks[this.j].frozen);
    if (this.el.dataset.frozen !== String(frozen)) {
      this.el.dataset.frozen = String(frozen);
      this.frozenTag.hidden = !frozen;
    }
    for (const s of this.strips) {
      if (s.what === 'a' || s.what === 'delta') s.draw(cnn.maps[this.j]?.[s.what]);
      else if (layer) s.draw(firstChannel(layer[s.what], layer.shape));
    }
  }
}

/** A weight's gradient as its terms over the positions (a map) and in words; hidden until asked. */
class SumPanel {
  constructor(parent, tooltip, close) {
    this.el = document.createElement('div');
    this.el.className = 'cnn-sum';
    this.el.hidden = true;
    const shut = document.createElement('button');
    shut.type = 'button';
    shut.className = 'pm cnn-sum-close';
    shut.textContent = '×';
    shut.title = 'put the sum away';
    shut.addEventListener('click', close);
    this.text = document.createElement('div');
    this.text.className = 'cnn-sum-text';
    this.el.append(shut);
    parent.append(this.el);
    this.strip = new Strip(this.el, 'terms', 'x × δ at each position', tooltip, Math.round(1.5 * TILE));
    this.el.append(this.text);
  }

  /** m: a filter_sum answer; error: the server's words instead; neither: hidden. */
  show(m, error = null) {
    this.el.hidden = !m && !error;
    this.strip.canvas.parentElement.hidden = !!error; // an error has no terms to draw
    if (error) { this.text.replaceChildren(line(error)); return; }
    if (!m) return;
    const [H, W] = [m.terms.length, m.terms[0].length];
    const data = Float32Array.from(m.terms.flat(), (v) => (v === null ? NaN : v));
    this.strip.legendText = `terms x × δ of dW${place(m.weight)}, one per position`;
    this.strip.draw({ data, shape: [1, H, W] });
    const t = sumText(m);
    this.text.replaceChildren(line(t.sum, 'cnn-sum-total'), line(t.batch), line(t.top));
  }
}

function line(text, className = '') {
  const p = document.createElement('p');
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

/** A filter array [F, C, k, k] as F tiles of its first input channel. */
function firstChannel(data, shape) {
  if (!data || !shape) return null;
  const [F, C, k] = shape;
  const out = new Float32Array(F * k * k);
  for (let f = 0; f < F; f++) out.set(data.subarray(f * C * k * k, f * C * k * k + k * k), f * k * k);
  return { data: out, shape: [F, k, k] };
}
