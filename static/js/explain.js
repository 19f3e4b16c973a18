// "Explain a step" (issue 9): the mode's panel, driven by the server's `explanation`
// messages. The controller's page sends `explain` commands (on/off, stage, sample,
// weight) and the server broadcasts the result, so every screen of the session shows
// the same sample, stage and weight; viewers only follow. Predict-then-reveal guesses
// stay on each screen. The tables come from explain-tables.js and explain-chain.js,
// drawn by explain-dom.js; keys and auto-advance live in explain-keys.js. A recurrent run's
// explanation (model: "recurrent") walks back through time: its tables are explain-time.js's; a
// CNN's (model: "cnn") goes through its conv and pool blocks: explain-conv.js's.

import { msg } from './protocol.js';
import { backwardTable, forwardTable, lossTable, phases, stagePlace, stageTitle, updateTable } from './explain-tables.js';
import { batchModel, chainModel } from './explain-chain.js';
import { renderBatch, renderChain, renderTable } from './explain-dom.js';
import { ExplainKeys } from './explain-keys.js';
import { diagramMarks, visibleRows } from './explain-marks.js';
import { isTime, renderShares, renderTimeTable, sharesModel, timeChainModel, timeMarks, timeTable } from './explain-time.js';
import { convChainModel, convTable, isConv, mapsModel, renderChooser, renderMaps } from './explain-conv.js';

export class ExplainMode {
  constructor(page) {
    this.page = page;
    this.m = null; // the newest explanation (on), or null
    this.predict = false;
    this.guesses = new Map();
    this.view = null; // [first, last] neuron rows of the table in view
    const $ = (s) => page.$(s);
    this.els = {
      panel: $('#explain'), toggle: $('#btn-explain'), title: $('#explain-title'), where: $('#explain-where'),
      phases: $('#explain-phases'), prev: $('#explain-prev'), next: $('#explain-next'), sample: $('#explain-sample'),
      nextSample: $('#explain-next-sample'), predict: $('#explain-predict'), pace: $('#explain-pace'),
      take: $('#explain-take'), leave: $('#explain-leave'), strip: $('#explain-strip'), stage: $('#explain-stage'),
      weight: $('#explain-weight'),
    };
    const e = this.els;
    e.toggle.addEventListener('click', () => this.toggle());
    e.leave.addEventListener('click', () => this.send({ on: false }));
    e.prev.addEventListener('click', () => this.go(-1));
    e.next.addEventListener('click', () => this.go(1));
    e.nextSample.addEventListener('click', () => this.nextSample());
    e.take.addEventListener('click', () => { if (this.canDrive) page.send(msg.step(1)); });
    e.predict.addEventListener('change', () => { this.predict = e.predict.checked; this.render(); });
    this.keys = new ExplainKeys(this, e.pace);
    page.state.on('role', () => this.render());
    page.state.on('connected', () => this.render());
    page.widget('network').onPick = (weight) => this.pickWeight(weight);
    page.widget('unrolled').onPick = (weight) => this.pickWeight(weight); // an h→h link: W_h
    page.widget('output').onPick = (pos) => this.pickSample(pos);
    page.widget('curve').onPick = (pos) => this.pickSample(pos);
    this.render();
  }

  get on() { return !!this.m; }
  get canDrive() { return this.page.state.isController && this.page.state.connected; }
  get last() { return this.m ? this.m.stages.length - 1 : 0; }

  send(fields) {
    if (this.canDrive) this.page.send(msg.explain(fields));
  }

  toggle() { this.send({ on: !this.on }); }
  go(delta) {
    if (!this.m) return;
    const stage = this.m.stage + delta;
    if (stage >= 0 && stage <= this.last) this.send({ stage });
  }
  nextSample() { if (this.m) this.send({ sample: (this.m.sample + 1) % this.m.batch_size }); }
  pickSample(pos) { if (this.m && pos !== this.m.sample) this.send({ sample: pos }); }
  pickWeight(weight) {
    // a CNN's weight is a filter's [layer, f, c, i, j]: the dense head's links are not explained
    if (this.m && (!isConv(this.m) || weight.length === 5)) this.send({ weight });
  }

  /** A fresh hello (a reconnect): the server sends the explanation again if it is on. */
  clear() { this.receive({ on: false }); }

  receive(m) {
    this.m = m.on ? m : null;
    // The explanation is of run A (the session's own); a comparison's diagram shows A meanwhile.
    if (m.on && this.page.state.view.netRun === 'b') this.page.state.setView({ netRun: 'a' });
    this.view = null;
    this.render();
    this.keys.schedule();
  }

  onGuess(key, partial, size) {
    const g = { ...(this.guesses.get(key) || {}), ...partial };
    g.done = !!g.sign && (!size || !!g.size);
    this.guesses.set(key, g);
    this.render();
  }

  render() {
    const { page, m, els: e } = this;
    const on = !!m;
    page.root.body.dataset.explain = String(on);
    e.panel.hidden = !on;
    e.toggle.textContent = on ? 'Leave explain' : 'Explain a step';
    e.toggle.setAttribute('aria-pressed', String(on));
    const drive = this.canDrive;
    e.toggle.disabled = !drive;
    for (const b of [e.leave, e.take, e.nextSample]) b.disabled = !drive;
    e.pace.disabled = !drive;
    e.prev.disabled = !drive || !m || m.stage <= 0;
    e.next.disabled = !drive || !m || m.stage >= this.last;
    this.mark();
    if (!m) { this.setData(null); return; }
    e.title.textContent = `Explain step ${m.step}`;
    e.where.textContent = stagePlace(m);
    e.where.title = stageTitle(m);
    const what = isTime(m) ? ['sequence', 'sequence'] : isConv(m) ? ['sample', 'image'] : ['sample', 'point'];
    const index = isTime(m) ? `#${m.batch[m.sample]}` : `${what[1]} #${m.batch[m.sample]}`;
    e.sample.textContent = `${what[0]} ${m.sample + 1} of ${m.batch_size} (${index})`;
    e.sample.title = `position ${m.sample + 1} in the batch; training ${what[1]} #${m.batch[m.sample]}`;
    this.renderPhases();
    this.renderStrip();
    const ctx = this.domContext();
    const keep = e.stage.dataset.stage === String(m.stage) ? this.scrollOf(e.stage) : 0;
    e.stage.replaceChildren((isTime(m) || isConv(m) ? renderTimeTable : renderTable)(ctx, this.tableOf(m)));
    e.stage.dataset.stage = String(m.stage);
    const wrap = e.stage.querySelector('.xtable-wrap');
    if (wrap) {
      wrap.scrollTop = keep;
      wrap.addEventListener('scroll', () => this.onScroll(wrap), { passive: true });
      this.onScroll(wrap);
    }
    const chain = isTime(m) ? timeChainModel(m) : isConv(m) ? convChainModel(m) : chainModel(m);
    const shares = isTime(m) ? sharesModel(m) : null;
    const batch = batchModel(m);
    const side = [];
    if (chain) side.push(renderChain(ctx, chain));
    if (isConv(m)) { // the filter weight's sum first, then where to choose another, then the maps it multiplies
      side[0].dataset.model = 'cnn';
      side.push(renderChooser(ctx, m, (weight) => this.pickWeight(weight)), renderMaps(ctx, mapsModel(m)));
    }
    if (shares) side.push(renderShares(ctx, shares, (stage) => this.send({ stage })));
    if (batch) side.push(renderBatch(ctx, batch, (pos) => this.pickSample(pos)));
    if (!side.length) {
      const p = page.root.createElement('p');
      p.className = 'xempty';
      p.textContent = isTime(m)
        ? 'Click a link from one hidden state to the next (h→h) in the unrolled network, or a weight in an equation, to see its gradient through time.'
        : 'Click a link in the network, or a weight in the table, to see where its gradient comes from.';
      side.push(p);
    }
    e.weight.replaceChildren(...side);
    this.setData(m);
  }

  domContext() {
    return {
      doc: this.page.root, predict: this.predict, guesses: this.guesses, controller: this.canDrive,
      onGuess: (key, partial, size) => this.onGuess(key, partial, size),
      onPick: (weight) => this.pickWeight(weight),
    };
  }

  tableOf(m) {
    if (isTime(m)) return timeTable(m);
    if (isConv(m)) return convTable(m);
    const s = m.stages[m.stage];
    if (s.phase === 'forward') return forwardTable(m, s.layer);
    if (s.phase === 'loss') return lossTable(m);
    if (s.phase === 'backward') return backwardTable(m, s.layer);
    return updateTable(m);
  }

  renderPhases() {
    const { m, els: e } = this;
    const current = m.stages[m.stage].phase;
    const buttons = phases(m).map(({ phase, stage }, n) => {
      const b = this.page.root.createElement('button');
      b.type = 'button';
      b.className = 'small xphase';
      b.textContent = `${n + 1}. ${phase}`;
      b.dataset.phase = phase;
      b.setAttribute('aria-current', String(phase === current));
      b.disabled = !this.canDrive;
      b.addEventListener('click', () => this.send({ stage }));
      return b;
    });
    e.phases.replaceChildren(...buttons);
  }

  /** Image data: the batch's digits, the explained one framed; a click explains another. */
  renderStrip() {
    const { m, els: e } = this;
    const shape = this.page.dataset && this.page.dataset.imageShape;
    e.strip.hidden = !(m.images && shape);
    if (e.strip.hidden) return;
    const [h, w] = shape;
    const cells = m.images.map((pixels, pos) => {
      const c = this.page.root.createElement('canvas');
      c.width = w;
      c.height = h;
      c.className = pos === m.sample ? 'current' : '';
      c.title = `sample ${pos + 1}`;
      c.dataset.pos = String(pos);
      const g = c.getContext('2d');
      const img = g.createImageData(w, h);
      pixels.forEach((v, p) => {
        const ink = 255 - Math.round(255 * Math.min(1, Math.max(0, v ?? 0)));
        img.data.set([ink, ink, ink, 255], p * 4);
      });
      g.putImageData(img, 0, 0);
      c.addEventListener('click', () => this.pickSample(pos));
      return c;
    });
    e.strip.replaceChildren(...cells);
  }

  scrollOf(stage) {
    const wrap = stage.querySelector('.xtable-wrap');
    return wrap ? wrap.scrollTop : 0;
  }

  onScroll(wrap) {
    const rows = [...wrap.querySelectorAll('tbody tr[data-neuron]')].map((tr) => ({ top: tr.offsetTop, bottom: tr.offsetTop + tr.offsetHeight }));
    const view = visibleRows(rows, wrap.scrollTop, wrap.clientHeight, wrap.querySelector('thead')?.offsetHeight || 0);
    if (this.view && view && this.view[0] === view[0] && this.view[1] === view[1]) return;
    this.view = view;
    this.els.panel.dataset.rows = view ? view.join('-') : 'all';
    this.mark();
  }

  /** The diagram's and the output plot's marks for this stage (or none when off). */
  mark() {
    const { page, m } = this;
    page.widget('network').setExplain?.(m && !isTime(m) && !isConv(m) ? diagramMarks(m, this.view) : null);
    for (const name of ['unrolled', 'timeHeat']) page.widget(name).setExplain?.(timeMarks(m));
    const batch = m ? { batch: m.batch, sample: m.sample } : null;
    for (const name of ['output', 'curve']) page.widget(name).setExplain?.(batch);
  }

  setData(m) {
    const d = this.els.panel.dataset;
    if (!m) { d.on = 'false'; return; }
    const s = m.stages[m.stage];
    Object.assign(d, {
      on: 'true', step: String(m.step), stage: String(m.stage), phase: s.phase, layer: s.layer ?? '', t: s.t ?? '', block: s.block ?? '',
      sample: String(m.sample), weight: m.weight ? m.weight.join(',') : '', predict: String(this.predict),
    });
  }
}
