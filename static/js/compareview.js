// Side by side: while frames carry a comparison (frame.b), run B's boxes show and
// every run is labelled by the setting that differs ("A: Sigmoid" / "B: ReLU").
// The A/B toggle picks the run the diagram, distributions and layer stats show.

import { fmt } from './format.js';
import { blocksSummary } from './blocks-editor.js';

/** {a, b}: each run named by its value of the compared setting (field: its schema entry). */
export function runLabels(field, name, a, b) {
  const title = field ? field.label || name : name;
  const show = (v) => {
    if (field && field.kind === 'choice') {
      const c = (field.choices || []).find((x) => x.value === v);
      return c ? (c.label ?? String(v)) : String(v);
    }
    if (field && field.kind === 'blocks') return blocksSummary(v, field);
    if (typeof v === 'number') return `${title.toLowerCase()} ${fmt(v, 3)}`;
    if (typeof v === 'boolean') return `${title.toLowerCase()} ${v ? 'on' : 'off'}`;
    return String(v);
  };
  return { a: `A: ${show(a)}`, b: `B: ${show(b)}` };
}

export class CompareView {
  constructor(page) {
    this.page = page;
    this.current = null; // {field, value} of the frame drawn, or null
    this.labels = { a: '', b: '' };
    this.toggle = [...page.$$('#network-run [data-run]')];
    for (const b of this.toggle) b.addEventListener('click', () => page.state.setView({ netRun: b.dataset.run }));
    page.state.on('view', (v) => {
      for (const b of this.toggle) b.setAttribute('aria-pressed', String(b.dataset.run === v.netRun));
      if (this.current) this.labelDetail();
    });
  }

  /** Before a paint: show or hide run B's boxes and relabel when the comparison changed. */
  show(frame) {
    const { page } = this;
    const cmp = frame.b ? frame.compare : null;
    const on = !!cmp;
    const next = on ? runLabels(page.state.field(cmp.field), cmp.field, page.state.config[cmp.field], cmp.value) : { a: '', b: '' };
    if (on === !!this.current && next.a === this.labels.a && next.b === this.labels.b) return;
    this.current = cmp;
    this.labels = next;
    page.root.body.dataset.compare = String(on);
    for (const el of page.$$('[data-run=b]:not(button)')) el.hidden = !on;
    page.$('#warnings-b-box').hidden = !on;
    page.$('#network-run').hidden = !on;
    for (const run of ['a', 'b']) {
      const el = page.$(`#output [data-run=${run}] .run-label`);
      el.textContent = next[run];
      el.hidden = !next[run];
    }
    for (const e of page.widgets) if (e.run !== 'detail') e.widget.setLabel?.(next[e.run]);
    this.labelDetail();
    const history = page.history;
    page.widget('loss').setRuns(on ? [{ history: history.a, label: next.a }, { history: history.b, label: next.b }] : null);
    if (!on) {
      history.b.clear();
      for (const e of page.widgets) if (e.run === 'b') e.widget.clear?.();
    }
  }

  /** The widgets that follow the A/B toggle are labelled by the run they show. */
  labelDetail() {
    const label = this.current && this.page.state.view.netRun === 'b' ? this.labels.b : this.labels.a;
    for (const e of this.page.widgets) if (e.run === 'detail') e.widget.setLabel?.(label);
  }
}
