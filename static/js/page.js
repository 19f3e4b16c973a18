// The page's one owned state, created in main.js and handed to the modules that need
// it: the UI state, the two runs' histories, the newest frame and the dataset, the
// widget table's entries, and what the server's messages do to them.

import { decodeMessage } from './protocol.js';
import { History } from './history.js';
import { State } from './state.js';
import { Banner } from './banner.js';
import { Tooltip } from './tooltip.js';

export class Page {
  constructor(root) {
    this.root = root;
    this.state = new State();
    this.history = { a: new History(), b: new History() }; // b: run B of a comparison (frame.b)
    this.banner = new Banner(this.$('#banner'), this.$('#notice'));
    this.tooltip = new Tooltip(this.$('#tooltip'));
    this.frame = null; // the newest frame: only it is drawn
    this.dataset = null;
    this.widgets = []; // the widget table's rows, each with its `widget`
    this.halted = false; // a server this page cannot read: nothing is drawn
    // Set by the modules that own them (main.js wires them up).
    this.controls = null;
    this.experiments = null;
    this.painter = null;
    this.compareView = null;
    this.join = null;
    this.explain = null;
    this.room = null;
    this.state.on('run', (s) => this.banner.setDiverged(s.divergedAt, s.runMessage));
    this.state.on('view', () => this.redraw());
  }

  $(selector) { return this.root.querySelector(selector); }
  $$(selector) { return this.root.querySelectorAll(selector); }
  widget(name) { return this.widgets.find((e) => e.name === name).widget; }
  send(message) { return this.join.conn.send(message); }
  redraw() { this.painter.schedule(); }

  /** A server that speaks another protocol: say so, draw nothing, offer no command. */
  halt(text) {
    this.halted = true;
    this.banner.showError(text, Infinity);
    this.$('#conn').textContent = 'disconnected';
    for (const b of this.$$('.cmd')) b.disabled = true;
  }

  /** Every widget and both histories learn the server's descriptions before anything is drawn. */
  onHello(hello) {
    for (const h of Object.values(this.history)) { h.setHello?.(hello); h.clear(); }
    for (const { widget } of this.widgets) widget.setHello?.(hello);
    this.experiments.setHello(hello); // its presets and what each warns of
    this.help?.setMeasures(hello.diagnostics?.measures);
    this.explain.clear(); // the server sends the explanation again if it is on
    this.controls.build(hello.schema || this.state.schema);
    this.state.applyHello(hello);
    this.room.setHello(hello); // after the role is known: a student's screen takes the pacing
    this.root.body.dataset.connected = 'true';
    this.redraw();
  }

  /** The text messages after join.js has taken its own (hello, and the errors it answers). */
  receive(m) {
    const { state, banner } = this;
    switch (m.type) {
      case 'config': {
        state.applyConfig(m);
        if (m.preset) this.experiments.show(m.preset); // the experiment just loaded: what to watch
        if (m.rebuilt) {
          for (const h of Object.values(this.history)) h.clear();
          banner.setDiverged(null);
        }
        // What changed besides what was asked for, in the server's words (the optimizer's
        // state restarted; a new dataset's features or suggested network), else a confirmation.
        const said = [m.notice, ...(m.notes || [])].filter(Boolean);
        if (said.length) banner.flash(said.join(' '), 6000 + 4000 * (said.length - 1));
        else if (m.rebuilt) banner.flash('new network');
        break;
      }
      case 'state':
        state.applyRunState(m);
        // Why a run stopped by itself (early stopping); divergence has its own banner.
        if (m.message && m.diverged_at === null) banner.flash(m.message, 10000);
        break;
      case 'explanation':
        this.explain.receive(m);
        break;
      case 'file': // the history or weights asked for from the Export menu (export.js)
        this.exporter?.save(m);
        break;
      case 'room': case 'pacing': case 'presenter': case 'role': case 'released': case 'pool': case 'pool_sent': case 'devices':
        this.room.receive(m);
        break;
      case 'filter_sum': // a filter weight's gradient, asked by the CNN view (filter-sum.js)
        this.widget('cnn').receive(m);
        break;
      case 'error':
        if (m.id === 'filter_sum') { this.widget('cnn').receive(m); break; } // said beside the filters
        banner.showError(`${m.field ? m.field.replace(/^config\./, '') + ': ' : ''}${m.message}`);
        state.rejectPending();
        break;
      default: break;
    }
  }

  onBinary(buffer) {
    if (this.halted) return;
    const m = decodeMessage(buffer);
    if (!m) return;
    if (m.kind === 'dataset') {
      this.dataset = m;
      for (const { widget } of this.widgets) widget.setDataset?.(m); // run B trains on the same data
      this.controls.setDataset(m);
    } else {
      this.history.a.add(m);
      if (m.b) this.history.b.add(m.b);
      this.frame = m;
      this.painter.frameArrived(); // a playing frame's paint may leave the slow charts for the next (paint.js)
      return;
    }
    this.redraw();
  }
}
