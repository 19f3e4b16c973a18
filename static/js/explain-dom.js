// "Explain a step": the models of explain-tables.js and explain-chain.js as DOM. Numbers
// are formatted here (format.js) and nowhere computed. A number is a span whose
// data-part names it (the browser tests read them); predict-then-reveal turns a guessed
// number into two small button groups until the guess is made.

import { fmt } from './format.js';
import { FOLD, judge } from './explain-tables.js';

export const DIGITS = 4; // significant digits of every number in the explanation
const FOLD_LINKS = 6; // more links into a neuron than this: its ∂L/∂w line opens on demand
const AFTER_OPERATOR = /[·×+−-]\s*$/; // "0.5·(-0.3)": a negative number after an operator is bracketed

/**
 * ctx: {doc, predict, guesses: Map key -> {sign, size, done}, onGuess(key, partial, size),
 * onPick([l, i, j])}.
 */
export function renderParts(ctx, parts) {
  const frag = ctx.doc.createDocumentFragment();
  const expression = parts.length > 1;
  parts.forEach((p, n) => {
    if (typeof p === 'string') { frag.append(p); return; }
    const prev = parts[n - 1];
    const paren = expression && p.factor === undefined && p.v < 0 && typeof prev === 'string' && AFTER_OPERATOR.test(prev);
    if (paren) frag.append('(');
    frag.append(renderPart(ctx, p));
    if (paren) frag.append(')');
  });
  return frag;
}

function revealed(ctx, key) {
  return !ctx.predict || !!(ctx.guesses.get(key) || {}).done;
}

function numberSpan(ctx, v, k, digits = DIGITS) {
  const s = ctx.doc.createElement('span');
  s.className = 'num';
  s.dataset.part = k;
  s.textContent = fmt(v, digits);
  if (v < 0) s.classList.add('neg');
  return s;
}

function renderPart(ctx, p) {
  const { doc } = ctx;
  if (p.hold !== undefined && !revealed(ctx, p.hold)) {
    const s = doc.createElement('span');
    s.className = 'held';
    s.textContent = '?';
    s.title = 'guess first';
    return s;
  }
  if (p.text !== undefined && !p.k) return doc.createTextNode(p.text);
  if (p.text !== undefined) { // a worked line the server wrote: its own line under the rule
    const s = doc.createElement('span');
    s.className = 'xtext';
    s.dataset.part = p.k;
    s.textContent = p.text;
    return s;
  }
  if (p.fold !== undefined) return folded(ctx, p.fold, p.parts);
  if (p.guess !== undefined) return guessPart(ctx, p);
  if (p.factor !== undefined) {
    const s = doc.createElement('span');
    s.className = 'factor';
    s.title = p.what || '';
    const name = doc.createElement('span');
    name.className = 'factor-name';
    name.textContent = p.factor;
    s.append(name, numberSpan(ctx, p.v, p.k));
    return s;
  }
  const s = numberSpan(ctx, p.v, p.k, p.digits);
  if (p.pick) {
    s.classList.add('pick');
    s.dataset.weight = p.pick.join(',');
    s.tabIndex = 0;
    s.title = 'choose this weight: its chain rule and its update';
    const pick = () => ctx.onPick(p.pick);
    s.addEventListener('click', pick);
    s.addEventListener('keydown', (e) => { if (e.key === 'Enter') pick(); });
  }
  return s;
}

/** A <details> whose summary names what it holds: many terms stay out of the way until asked for. */
function folded(ctx, summary, parts) {
  const d = ctx.doc.createElement('details');
  d.className = 'xfold';
  const s = ctx.doc.createElement('summary');
  s.textContent = summary;
  d.append(s, renderParts(ctx, parts));
  return d;
}

function guessPart(ctx, p) {
  const { doc } = ctx;
  const g = ctx.guesses.get(p.guess);
  const box = doc.createElement('span');
  box.className = 'guess';
  box.dataset.guess = p.guess;
  if (revealed(ctx, p.guess)) {
    box.append(numberSpan(ctx, p.v, p.k));
    if (ctx.predict && g) box.append(verdict(doc, judge(g, p.v, p.size), p.v, p.size));
    return box;
  }
  box.dataset.pending = 'true';
  const choices = !g || !g.sign ? [['+', 'sign', 'positive'], ['−', 'sign', 'negative']]
    : [['large', 'size', 'large'], ['small', 'size', 'small']];
  for (const [label, field, value] of choices) {
    const b = doc.createElement('button');
    b.type = 'button';
    b.className = 'small guess-btn';
    b.textContent = label;
    b.dataset.choice = value;
    b.title = field === 'sign' ? `guess: ${value}` : `guess: ${value} for this layer`;
    b.addEventListener('click', () => ctx.onGuess(p.guess, { [field]: field === 'sign' ? (value === 'positive' ? '+' : '-') : value }, p.size));
    box.append(b);
  }
  return box;
}

function verdict(doc, j, v, size) {
  const s = doc.createElement('span');
  s.className = 'verdict';
  const words = [];
  if (j.sign === null) words.push('it is 0');
  else words.push(j.sign ? '✓ sign' : `✗ it is ${v > 0 ? 'positive' : 'negative'}`);
  if (j.size !== null) words.push(j.size ? '✓ size' : `✗ it is ${size}`);
  s.textContent = words.join(', ');
  s.dataset.right = String(j.sign !== false && j.size !== false);
  return s;
}

function el(doc, tag, className, text) {
  const e = doc.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A stage's table (and what goes with it: inputs, loss formula, the weight's change). */
export function renderTable(ctx, model) {
  const { doc } = ctx;
  const box = el(doc, 'div', 'xstage');
  box.dataset.table = model.id;
  if (model.empty) { box.append(el(doc, 'p', 'xempty', model.empty)); return box; }
  box.append(el(doc, 'h3', 'xcaption', model.caption));
  if (model.inputs) box.append(inputsLine(ctx, model.inputs));
  if (model.formula) box.append(lossBlock(ctx, model));
  if (ctx.predict && model.prompt) box.append(el(doc, 'p', 'xprompt', model.prompt));
  const wrap = el(doc, 'div', 'xtable-wrap');
  const table = el(doc, 'table', 'xtable');
  const head = el(doc, 'tr');
  for (const c of model.columns) {
    const th = el(doc, 'th', c.wide ? 'wide' : '', c.head);
    th.dataset.col = c.key;
    head.append(th);
  }
  table.append(el(doc, 'thead'));
  table.tHead.append(head);
  const body = el(doc, 'tbody');
  for (const row of model.rows) {
    const tr = el(doc, 'tr');
    tr.dataset.neuron = String(row.neuron);
    if (row.dropped) tr.dataset.dropped = 'true';
    for (const c of model.columns) {
      const td = el(doc, 'td', c.wide ? 'wide' : '');
      td.dataset.col = c.key;
      td.append(renderParts(ctx, row.cells[c.key] || []));
      tr.append(td);
    }
    body.append(tr);
    if (row.detail) body.append(detailRow(ctx, row, model.columns.length));
  }
  table.append(body);
  wrap.append(table);
  box.append(wrap);
  if (model.change) box.append(changeLine(ctx, model.change));
  if (model.note) box.append(el(doc, 'p', 'xnote', model.note));
  return box;
}

function detailRow(ctx, row, span) {
  const tr = el(ctx.doc, 'tr', 'xdetail');
  tr.dataset.detail = String(row.neuron);
  const td = el(ctx.doc, 'td');
  td.colSpan = span;
  const { label, parts, count } = row.detail;
  if (count > FOLD_LINKS) { // a wide layer's many links: folded, so the table stays one row per neuron
    td.append(folded(ctx, `${label} (${count} links)`, parts));
  } else {
    td.append(el(ctx.doc, 'span', 'xlabel', label), ' ', renderParts(ctx, parts));
  }
  tr.append(td);
  return tr;
}

function inputsLine(ctx, { what, items }) {
  const p = el(ctx.doc, 'div', 'xinputs');
  p.append(el(ctx.doc, 'span', 'xlabel', `inputs x: ${what}`), ' ');
  const chips = ctx.doc.createDocumentFragment();
  items.forEach((it, i) => {
    const s = el(ctx.doc, 'span', 'xin');
    s.append(`${it.name} = `, numberSpan(ctx, it.v, 'input'));
    s.dataset.input = String(i);
    chips.append(s, ' ');
  });
  if (items.length > FOLD) {
    const d = el(ctx.doc, 'details', 'xfold');
    d.append(el(ctx.doc, 'summary', '', `${items.length} inputs`), chips);
    p.append(d);
  } else {
    p.append(chips);
  }
  return p;
}

function lossBlock(ctx, model) {
  const { doc } = ctx;
  const d = el(doc, 'div', 'xloss');
  const f = el(doc, 'p', 'xformula', model.formula);
  const w = el(doc, 'p', 'xworked');
  w.append(`= ${model.worked} = `, numberSpan(ctx, model.value, 'loss'));
  const b = el(doc, 'p', 'xnote');
  b.append('this sample’s loss; the batch’s mean loss, which the step lowers: ', numberSpan(ctx, model.batchValue, 'batch_loss'));
  d.append(f, w, b);
  return d;
}

function changeLine(ctx, change) {
  const p = el(ctx.doc, 'p', 'xchange');
  p.append(el(ctx.doc, 'span', 'xlabel', 'the weight: before + Δw = after '));
  p.append(renderParts(ctx, [{ v: change.before, k: 'before' }, ' + ', change.step, ' = ', change.after]));
  return p;
}

/** The chain rule panel: each path on its own line, then the sum, the gradient and the check. */
export function renderChain(ctx, model) {
  const { doc } = ctx;
  const box = el(doc, 'div', 'xchain');
  box.append(el(doc, 'h3', 'xcaption', model.title));
  const v = el(doc, 'p', 'xnote');
  v.append('the weight now: ', numberSpan(ctx, model.value, 'weight'), '. ', model.intro);
  box.append(v);
  const list = el(doc, 'ol', 'xpaths');
  for (const row of model.rows) {
    const li = el(doc, 'li', 'xpath');
    li.dataset.path = String(row.path);
    li.append(renderParts(ctx, row.parts));
    list.append(li);
  }
  box.append(list);
  const dl = el(doc, 'dl', 'xsummary');
  for (const s of model.summary) {
    const dd = el(doc, 'dd');
    dd.append(renderParts(ctx, s.parts));
    if (s.verdict) dd.append(' ', el(doc, 'span', 'xverdict', s.verdict));
    dl.append(el(doc, 'dt', '', s.label), dd);
  }
  box.append(dl);
  if (model.note) box.append(el(doc, 'p', 'xnote', model.note));
  return box;
}

/** Sample to batch: one bar per sample's gradient, the current sample marked, then the mean. */
export function renderBatch(ctx, model, onSample) {
  const { doc } = ctx;
  const box = el(doc, 'div', 'xbatch');
  box.append(el(doc, 'h3', 'xcaption', model.title));
  const list = el(doc, 'ol', 'xsamples');
  for (const r of model.rows) {
    const li = el(doc, 'li', r.current ? 'current' : '');
    li.dataset.pos = String(r.pos);
    const name = el(doc, 'button', 'small xsample', `sample ${r.pos + 1}`);
    name.type = 'button';
    name.title = `training point #${r.index}: explain this sample`;
    name.disabled = !ctx.controller;
    name.addEventListener('click', () => onSample(r.pos));
    const bar = el(doc, 'span', 'xbar');
    const fill = el(doc, 'span', r.v < 0 ? 'xfill neg' : 'xfill');
    fill.style.width = `${(100 * r.bar).toFixed(1)}%`;
    bar.append(fill);
    li.append(name, bar, numberSpan(ctx, r.v, 'sample_grad'));
    list.append(li);
  }
  box.append(list);
  const mean = el(doc, 'p', 'xmean');
  mean.append('mean = the batch’s ∂L/∂w: ', numberSpan(ctx, model.mean, 'batch_grad'));
  box.append(mean, el(doc, 'p', 'xnote', model.note));
  return box;
}
