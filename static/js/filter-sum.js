// "Why is a shared filter's gradient a sum?": a filter weight hovered (or tapped) in the CNN
// view asks the server for its `filter_sum` (docs/protocol.md): every position's term, input
// pixel × δ, their sum, the image's own dW and the batch's. This module keeps which weight is
// asked about, asks again when a newer step is drawn, and writes the answer in words; the
// numbers are all the server's (cnn.js draws the terms and marks the largest in the maps).

import { fmt } from './format.js';

/** The request for weight [f, c, i, j] of conv layer `layer`; its id routes an error back here. */
export function request(layer, weight) {
  return { type: 'filter_sum', id: 'filter_sum', layer, weight };
}

/** "[1, 1, 3, 1]": a weight's place, counted from 1 as the tooltips count rows and filters. */
export function place(weight) {
  return `[${weight.map((v) => v + 1).join(', ')}]`;
}

/**
 * The answer in words: {sum, batch, top} lines. `sum` reads
 * "dW[1, 1, 3, 1] = Σ over 144 positions of x × δ = −0.0901 (this image's dW: −0.0901)".
 */
export function sumText(m) {
  const sum = `dW${place(m.weight)} = Σ over ${m.positions} positions of x × δ = ${fmt(m.sum, 4)} `
    + `(this image's dW: ${fmt(m.dW_sample, 4)})`;
  const batch = m.batch
    ? `The step's dW${place(m.weight)} = ${fmt(m.batch.dW, 4)}: the mean of such sums over its ${m.batch.batch_size} `
      + `image${m.batch.batch_size === 1 ? '' : 's'} (step ${m.batch.step}, before its update).`
    : 'No step yet: the batch\'s dW comes with the first step.';
  const top = m.top.length
    ? `Largest terms (outlined): ${m.top.map((t) => `${fmt(t.x, 3)} × ${fmt(t.delta, 3)} = ${fmt(t.term, 3)}`).join('; ')}.`
    : 'Every term is 0: the input is 0 wherever δ is not (or δ is 0 everywhere).';
  return { sum, batch, top };
}

// A request unanswered this long is taken as lost (the server drops messages past its rate
// limit without naming them) and may be sent again.
const LOST_MS = 1500;

/** Which weight is asked about, and the newest answer about it. */
export class FilterSum {
  /** send(message): to the server; show(answer | null): draw it (or clear it); now(): ms. */
  constructor(send, show, now = () => performance.now()) {
    this.send = send;
    this.show = show;
    this.now = now;
    this.want = null; // {layer, weight}
    this.answer = null;
    this.asked = false; // a request in flight: one at a time
    this.askedAt = 0;
  }

  /** A weight hovered or tapped: asked about unless it is the one shown already. */
  choose(layer, weight) {
    if (this.want && this.want.layer === layer && this.want.weight.join() === weight.join()) return;
    this.want = { layer, weight };
    this.ask();
  }

  clear() {
    this.want = null;
    this.asked = false;
    this.answer = null;
    this.show(null);
  }

  ask() {
    if (!this.want || !this.send || (this.asked && this.now() - this.askedAt < LOST_MS)) return;
    this.asked = true;
    this.askedAt = this.now();
    this.send(request(this.want.layer, this.want.weight));
  }

  /** A newer step drawn: the shown answer is about older weights, so it is asked again. */
  stepped(step) {
    if (this.want && (this.answer ? this.answer.step !== step : this.asked)) this.ask();
  }

  /** The server's answer, or its error (the timeline shows a kept step): said in its place. */
  receive(m) {
    this.asked = false;
    if (m.type !== 'filter_sum') { this.answer = null; this.show({ error: m.message }); return; }
    const want = this.want;
    if (!want || want.layer !== m.layer || want.weight.join() !== m.weight.join()) { this.ask(); return; }
    this.answer = m;
    this.show(m);
  }
}
