// The class's pooled runs (server/pool.py). A student on their own copy has "Send my run": the
// server makes the entry from the copy itself. The presenter's "Runs" opens the pool: one plot
// of every run (a measure against a setting, the setting's log axis if it has one, diverged runs
// marked ✕ in a band above), a table, and the choice to put it on every screen; a row's click shows
// that run large to the class. Students see the pool only while the presenter shows it. Every
// number drawn is the server's; this module only places and formats them.

import { MEASURES, PoolPlot, measureText, settingText } from './pool-plot.js';
import { PoolPicture } from './pool-picture.js';

/** The messages this module sends (docs/protocol.md, "Pooling the class's runs"). */
export const poolMsg = {
  send: () => ({ type: 'pool_send' }),
  view: (fields) => ({ type: 'pool_view', ...fields }),
  clear: () => ({ type: 'pool_clear' }),
};

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
    // The run in the spotlight: its picture (drawn by the page's own output, curve or loss widget) beside its figures.
    const div = (className) => Object.assign(page.root.createElement('div'), { className });
    this.spotText = div('pool-spot-text');
    const pictureBox = div('pool-spot-picture');
    this.spot.replaceChildren(pictureBox, this.spotText);
    this.picture = new PoolPicture(pictureBox);
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
    const cells = [run.number, this.nameOf(run), variedText(run, field),
      run.diverged ? `diverged at ${run.diverged_at}` : measureText(this.pool.y, run[this.pool.y]), run.steps];
    tr.append(...cells.map((text) => { const td = this.page.root.createElement('td'); td.textContent = String(text); return td; }));
    return tr;
  }

  /** A student reads the runs as "student N" (the server's) and their own as theirs. */
  nameOf(run) {
    return !this.presenting && this.sent?.number === run.number ? `${run.name} (you)` : run.name;
  }

  /** One run's picture and figures, large: what the class looks at when the presenter picks it. */
  spotlight(run, field) {
    this.spot.hidden = !run;
    this.picture.show(run ? this.pool.picture : null);
    if (!run) return;
    const line = (label, value) => `<div><span>${label}</span> <b>${value}</b></div>`;
    const esc = (t) => String(t).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    const figures = Object.keys(MEASURES).filter((k) => k in run).map((k) => line(MEASURES[k], measureText(k, run[k])));
    this.spotText.innerHTML = `<h3>${esc(run.number)} · ${esc(this.nameOf(run))}</h3><p>${esc(variedText(run, field))}</p>`
      + figures.join('') + line('steps', run.steps) + (run.diverged ? line('diverged at step', run.diverged_at) : '');
  }
}
