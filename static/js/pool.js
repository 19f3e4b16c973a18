// The class's pooled runs (server/pool.py). A student on their own copy has "Send my run": the
// server makes the entry from the copy itself. The presenter's "Runs" opens the pool: one plot
// of every run (a measure against a setting, the setting's log axis if it has one, diverged runs
// marked ✕ in a band above), a table, and the choice to put it on every screen; a row's click shows
// that run large to the class. Students see the pool only while the presenter shows it. Every
// number drawn is the server's; this module only places and formats them.

import { fitCanvas } from './canvas.js';
import { fmt, percent } from './format.js';

/** The messages this module sends (docs/protocol.md, "Pooling the class's runs"). */
export const poolMsg = {
  send: () => ({ type: 'pool_send' }),
  view: (fields) => ({ type: 'pool_view', ...fields }),
  clear: () => ({ type: 'pool_clear' }),
};

export const MEASURES = {
  test_loss: 'test loss', train_loss: 'training loss', test_accuracy: 'test accuracy',
  train_accuracy: 'training accuracy', test_r2: 'test R²', train_r2: 'training R²',
};
const DIVERGED = '#c62828';
const POINT = '#1d5fa0';

/** A setting's value in words: a choice's label, layers as 8-8, true/false as on/off. */
export function settingText(field, v) {
  if (v === null || v === undefined) return '–';
  if (Array.isArray(v)) return v.length ? v.join('-') : 'none';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'number') return fmt(v, 3);
  return field?.choices?.find((c) => c.value === v)?.label ?? String(v);
}

/** A measure's value in words (accuracies as percentages). */
export function measureText(name, v) {
  return name.endsWith('accuracy') ? percent(v) : fmt(v, 3);
}

/** What "varied" says of a run: "learning rate 0.3, activation ReLU" (or "the presenter's settings"). */
export function variedText(run, field) {
  if (!run.varied.length) return 'the presenter’s settings';
  return run.varied.map((name) => {
    const f = field(name);
    const v = run.settings?.[name];
    return v === undefined ? (f?.label ?? name) : `${(f?.label ?? name).toLowerCase()} ${settingText(f, v)}`;
  }).join(', ');
}

/**
 * Where each run sits: x from the setting `pool.x` (a number on a log or linear axis, or one of
 * the categories in the order first met), y from the measure `pool.y`; a diverged run, or one
 * without a finite y, goes in the band above the plot.
 */
export function plotPoints(pool, field) {
  const numeric = field?.kind === 'number' || field?.kind === 'integer';
  const log = numeric && !!field.log;
  const categories = [];
  const points = pool.runs.map((run) => {
    const v = run.settings?.[pool.x];
    let x = null;
    if (numeric) x = typeof v === 'number' && (!log || v > 0) ? v : null;
    else if (v !== undefined) {
      const text = settingText(field, v);
      if (!categories.includes(text)) categories.push(text);
      x = categories.indexOf(text);
    }
    const y = run[pool.y];
    const finite = typeof y === 'number' && Number.isFinite(y);
    return { number: run.number, name: run.name, x, y: finite ? y : null, band: run.diverged || !finite, diverged: run.diverged };
  });
  return { points, numeric, log, categories };
}

/** About five round ticks covering [lo, hi]. */
export function linearTicks(lo, hi) {
  if (!(hi > lo)) { const d = Math.abs(lo) * 0.1 || 1; lo -= d; hi += d; }
  const raw = (hi - lo) / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
  const ticks = [];
  for (let t = Math.floor(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1] < hi) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

/** Decades covering [lo, hi] (lo > 0), one beyond a single value on each side. */
export function logTicks(lo, hi) {
  let a = Math.floor(Math.log10(lo));
  let b = Math.ceil(Math.log10(hi));
  if (a === b) { a -= 1; b += 1; }
  return Array.from({ length: b - a + 1 }, (_, i) => 10 ** (a + i));
}

/** The plot on its canvas, from the pool message; `drawn` keeps where each run went (tests read it). */
export class PoolPlot {
  constructor(canvas) {
    this.canvas = canvas;
    this.drawn = [];
  }

  draw(pool, field) {
    const { ctx, w, h } = fitCanvas(this.canvas);
    const big = Math.min(w, h) > 320;
    const font = big ? 15 : 13;
    ctx.font = `${font}px system-ui, sans-serif`;
    const { points, numeric, log, categories } = plotPoints(pool, field);
    const placed = points.filter((p) => p.x !== null);
    const left = font * 4.2, right = font * 1.6, top = font * 2.4, bottom = font * 3.4; // right: room for a label
    const pw = Math.max(10, w - left - right), ph = Math.max(10, h - top - bottom);
    // x: the setting
    let xs, sx;
    if (numeric) {
      const vals = placed.map((p) => p.x);
      const lo = vals.length ? Math.min(...vals) : (log ? 0.01 : 0), hi = vals.length ? Math.max(...vals) : (log ? 1 : 1);
      xs = log ? logTicks(lo, hi) : linearTicks(lo, hi);
      const [a, b] = log ? [Math.log10(xs[0]), Math.log10(xs[xs.length - 1])] : [xs[0], xs[xs.length - 1]];
      sx = (v) => left + (((log ? Math.log10(v) : v) - a) / (b - a || 1)) * pw;
    } else {
      xs = categories.map((_, i) => i);
      sx = (i) => left + ((i + 0.5) / Math.max(1, categories.length)) * pw;
    }
    // y: the measure, from the runs that kept finite numbers
    const ys = placed.filter((p) => !p.band).map((p) => p.y);
    const acc = pool.y.endsWith('accuracy');
    const yt = acc ? [0, 0.25, 0.5, 0.75, 1] : linearTicks(Math.min(0, ...ys), ys.length ? Math.max(...ys) : 1);
    const y0 = yt[0], y1 = yt[yt.length - 1];
    const sy = (v) => top + ph - ((v - y0) / (y1 - y0 || 1)) * ph;
    // axes, grid and labels
    ctx.strokeStyle = '#d5d9e0';
    ctx.fillStyle = '#4a4f57';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of yt) {
      const y = sy(t);
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + pw, y); ctx.stroke();
      ctx.fillText(acc ? percent(t).replace('.0%', '%') : fmt(t, 3), left - 6, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    xs.forEach((t) => {
      const x = sx(t);
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + ph); ctx.stroke();
      ctx.fillText(numeric ? fmt(t, 3) : categories[t], x, top + ph + 5);
    });
    ctx.fillStyle = '#111418';
    ctx.font = `600 ${font}px system-ui, sans-serif`;
    const label = field?.label ?? pool.x;
    ctx.fillText(`${label}${log ? ' (log scale)' : ''}`, left + pw / 2, top + ph + font + 12);
    ctx.save();
    ctx.translate(font, top + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(MEASURES[pool.y] ?? pool.y, 0, 0);
    ctx.restore();
    // the band of diverged runs, above the plot
    const band = top - font * 1.1;
    ctx.font = `${font}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = DIVERGED;
    if (placed.some((p) => p.band)) ctx.fillText('✕ diverged', left + 4, band);
    // the runs
    this.drawn = [];
    const size = big ? 7 : 5;
    for (const p of placed) {
      const x = sx(p.x), y = p.band ? band : sy(p.y);
      if (p.band) cross(ctx, x, y, size, DIVERGED);
      else dot(ctx, x, y, size, POINT);
      if (p.number === pool.spotlight) ring(ctx, x, y, size + 6);
      ctx.fillStyle = '#111418';
      ctx.fillText(String(p.number), x + size + 3, y - size);
      this.drawn.push({ number: p.number, x: p.x, y: p.y, diverged: p.diverged, px: Math.round(x), py: Math.round(y) });
    }
    if (!pool.runs.length) {
      ctx.textAlign = 'center';
      ctx.fillStyle = '#4a4f57';
      ctx.fillText('No runs yet: students send theirs with “Send my run”', left + pw / 2, top + ph / 2);
    }
    this.canvas.dataset.points = JSON.stringify(this.drawn);
  }
}

function dot(ctx, x, y, r, color) {
  ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fillStyle = color; ctx.fill();
  ctx.strokeStyle = '#fff'; ctx.lineWidth = 1.5; ctx.stroke();
}

function cross(ctx, x, y, r, color) {
  ctx.strokeStyle = color; ctx.lineWidth = 3;
  ctx.beginPath(); ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r); ctx.moveTo(x + r, y - r); ctx.lineTo(x - r, y + r); ctx.stroke();
}

function ring(ctx, x, y, r) {
  ctx.strokeStyle = '#f0a030'; ctx.lineWidth = 3;
  ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.stroke();
}

/**
 * The pool's place in the page: the buttons in the top bar (the presenter's "Runs", a student's
 * "Send my run"), the panel (#pool in index.html) and what it shows to whom. RoomView makes it
 * and hands it the hello and the `pool` and `pool_sent` messages.
 */
export class PoolView {
  constructor(page, box) {
    this.page = page;
    this.pool = null; // the last `pool` (or hello.pool)
    this.sent = null; // this copy's entry, once sent
    this.closed = false; // a student closed the shown pool: it stays closed until shown again
    const $ = (sel) => page.$(sel);
    this.panel = $('#pool');
    this.plot = new PoolPlot($('#pool-plot'));
    this.x = $('#pool-x');
    this.y = $('#pool-y');
    this.shown = $('#pool-shown');
    this.rows = $('#pool-table tbody');
    this.spot = $('#pool-spotlight');
    const button = (where, id, text, title, onClick) => {
      const b = page.root.createElement('button');
      Object.assign(b, { type: 'button', id, className: 'small', textContent: text, title, hidden: true });
      b.addEventListener('click', onClick);
      where.append(b);
      return b;
    };
    // The presenter's in the top bar, beside "Release"; a student's beside the loss and accuracy
    // they send (a student's top bar, on a copy, has no room left at 1366 px).
    const toggle = () => this.setOpen(this.panel.hidden);
    this.open = button(box, 'btn-pool', 'Runs', 'The runs students sent: one plot for the class', toggle);
    const results = page.root.createElement('span');
    results.className = 'pool-mine';
    $('#loss .panel-head').append(results);
    this.send = button(results, 'btn-pool-send', 'Send my run', 'Send your run’s settings and results to the class’s plot (again: it replaces the one you sent)', () => page.send(poolMsg.send()));
    this.reopen = button(results, 'btn-pool-open', 'Class runs', 'The class’s runs, as the presenter shows them', toggle);
    this.y.replaceChildren(...Object.entries(MEASURES).map(([v, t]) => new Option(t, v)));
    this.x.addEventListener('change', () => page.send(poolMsg.view({ x: this.x.value })));
    this.y.addEventListener('change', () => page.send(poolMsg.view({ y: this.y.value })));
    this.shown.addEventListener('change', () => page.send(poolMsg.view({ shown: this.shown.checked })));
    $('#pool-clear').addEventListener('click', () => page.send(poolMsg.clear()));
    $('#pool-close').addEventListener('click', () => { this.closed = true; this.setOpen(false); });
    // A new size (a rotated phone, a window made smaller): drawn again once canvas.js has measured it.
    new ResizeObserver(() => requestAnimationFrame(() => { if (!this.panel.hidden) this.render(); })).observe($('.pool-plot-box'));
    this.rows.addEventListener('click', (e) => {
      const row = e.target.closest('tr');
      if (!row || !this.presenting) return;
      const n = Number(row.dataset.number);
      page.send(poolMsg.view({ spotlight: this.pool.spotlight === n ? null : n }));
    });
  }

  /** The class's presenter (not a student's copy). */
  get presenting() {
    return this.page.state.isController && !this.page.room.release.hello?.fork;
  }

  get onCopy() {
    return this.page.state.isController && !!this.page.room.release.hello?.fork;
  }

  setHello(hello) {
    this.sent = hello.pool_sent || null;
    this.closed = false;
    this.setPool(hello.pool || null, true);
  }

  receive(m) {
    if (m.type === 'pool_sent') {
      this.sent = m.run;
      const f = (n) => this.page.state.field(n);
      const said = `${variedText(m.run, f)}, ${MEASURES.test_loss} ${measureText('test_loss', m.run.test_loss)}`;
      this.page.banner.flash(`${m.replaced ? 'Sent again, in place of your last one' : 'Sent to the class'} (${said})`, 6000);
      this.render();
    } else this.setPool(m, false);
  }

  setPool(pool, first) {
    const was = this.pool?.shown;
    this.pool = pool;
    if (!this.presenting && pool) { // a student's screen follows what the presenter shows
      if (pool.shown && (!was || first) && !this.closed) this.setOpen(true);
      if (!pool.shown) { this.closed = false; this.setOpen(false); }
    }
    this.render();
  }

  setOpen(open) {
    this.panel.hidden = !open;
    // Under the top bar, whose height depends on the screen and on what it holds now.
    if (open) this.panel.style.top = `${Math.round(this.page.$('.topbar').getBoundingClientRect().bottom + 6)}px`;
    for (const b of [this.open, this.reopen]) b.setAttribute('aria-expanded', String(open));
    this.render();
  }

  render() {
    const pool = this.pool;
    const presenting = this.presenting;
    const n = pool?.runs.length ?? 0;
    this.open.hidden = !(presenting && (n || this.page.room.release.released)); // from the release on: room in the top bar then
    this.open.textContent = `Runs ${n}`;
    this.reopen.hidden = presenting || !(pool?.shown && n && this.panel.hidden); // closed by the student: open it again
    this.send.hidden = !this.onCopy;
    this.send.textContent = this.sent ? 'Send again' : 'Send my run';
    this.panel.dataset.presenter = String(presenting);
    if (!pool || this.panel.hidden) return;
    const field = (name) => this.page.state.field(name);
    this.page.$('#pool-count').textContent = `${n} run${n === 1 ? '' : 's'}${!presenting ? '' : pool.shown ? ' · on every screen' : ' · only you see this'}`;
    const axes = [...new Set([...pool.axes, pool.x])];
    const options = axes.map((name) => new Option(field(name)?.label ?? name, name));
    if (this.x.options.length !== options.length || [...this.x.options].some((o, i) => o.value !== options[i].value)) this.x.replaceChildren(...options);
    this.x.value = pool.x;
    this.y.value = pool.y;
    this.shown.checked = pool.shown;
    this.page.$('#pool-y-head').textContent = MEASURES[pool.y] ?? pool.y;
    this.rows.replaceChildren(...pool.runs.map((run) => this.row(run, field)));
    this.spotlight(pool.runs.find((r) => r.number === pool.spotlight), field);
    this.plot.draw(pool, field(pool.x));
  }

  row(run, field) {
    const tr = this.page.root.createElement('tr');
    tr.dataset.number = String(run.number);
    tr.dataset.diverged = String(run.diverged);
    if (run.number === this.pool.spotlight) tr.dataset.spotlight = 'true';
    if (this.presenting) tr.title = 'Show this run large to the class (click again to stop)';
    const cells = [run.number, run.name, variedText(run, field),
      run.diverged ? `diverged at ${run.diverged_at}` : measureText(this.pool.y, run[this.pool.y]), run.steps];
    tr.append(...cells.map((text) => { const td = this.page.root.createElement('td'); td.textContent = String(text); return td; }));
    return tr;
  }

  /** One run's figures, large: what the class looks at when the presenter picks it. */
  spotlight(run, field) {
    this.spot.hidden = !run;
    if (!run) return;
    const line = (label, value) => `<div><span>${label}</span> <b>${value}</b></div>`;
    const esc = (t) => String(t).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    const figures = Object.keys(MEASURES).filter((k) => k in run).map((k) => line(MEASURES[k], measureText(k, run[k])));
    this.spot.innerHTML = `<h3>${esc(run.number)} · ${esc(run.name)}</h3><p>${esc(variedText(run, field))}</p>`
      + figures.join('') + line('steps', run.steps) + (run.diverged ? line('diverged at step', run.diverged_at) : '');
  }
}
