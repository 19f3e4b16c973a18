// The single source of UI state. The server's accepted config lives in
// `config`; user edits not yet confirmed live in `pending` so quick repeated
// clicks (e.g. "+ neuron") build on each other. The confirmed config is
// mirrored into the URL hash (urlstate.js) so a link reproduces a setup.
// No DOM: it loads under Node, where the storages are absent and skipped.

import { browserUrl, readHash, sameValue, shareHash, writeHash } from './urlstate.js';

const TOKEN_KEY = 'backprop-lab-token:';
const SCHEMA_KEY = 'backprop-lab-schema';
const NAME_KEY = 'backprop-lab-name';

export class State {
  /** url: where the hash lives ({read, write, absolute}); the address bar unless a test gives another. */
  constructor({ url = browserUrl } = {}) {
    this.url = url;
    this.config = {};
    this.pending = {};
    this.inFlight = {}; // per field: sets sent and not yet answered by a config message
    this.configVersion = null;
    this.session = null;
    this.role = null;
    this.connected = false;
    this.running = false;
    this.step = 0;
    this.divergedAt = null;
    this.runMessage = ''; // the server's words for why training stopped (state.message)
    this.view = { linkMode: 'W', lossScale: 'linear', showTest: true, tab: 'heatmap', distKind: 'W', netRun: 'a' };
    this.watch = false;
    this.listeners = new Map();
    this.schema = loadCachedSchema();
  }

  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, []);
    this.listeners.get(event).push(fn);
  }

  emit(event, ...args) {
    for (const fn of this.listeners.get(event) || []) fn(...args);
  }

  field(name) {
    return this.schema ? this.schema.find((f) => f.name === name) : null;
  }

  /** What the controls should show: accepted config plus edits in flight. */
  effectiveConfig() {
    return { ...this.config, ...this.pending };
  }

  get isController() {
    return this.role === 'controller';
  }

  /** A user edit: remember it and ask the wiring to send it. */
  edit(partial) {
    if (!this.isController) return;
    Object.assign(this.pending, partial);
    for (const name of Object.keys(partial)) this.inFlight[name] = (this.inFlight[name] || 0) + 1;
    this.emit('edit', partial);
    this.emit('config', this.effectiveConfig());
  }

  setView(partial) {
    Object.assign(this.view, partial);
    this.emit('view', this.view);
  }

  // --- server events -------------------------------------------------------

  applyHello(hello) {
    this.schema = hello.schema || this.schema;
    try { localStorage.setItem(SCHEMA_KEY, JSON.stringify(this.schema)); } catch { /* private mode */ }
    this.session = hello.session;
    this.watch = hello.role === 'viewer'; // after a server restart, wait for the presenter's session
    this.role = hello.role;
    if (hello.token) this.token = hello.token;
    this.config = { ...hello.config };
    this.configVersion = hello.config_version;
    this.pending = {};
    this.inFlight = {};
    const st = hello.state || {};
    this.running = !!st.running;
    this.step = st.step || 0;
    this.divergedAt = st.diverged_at ?? null;
    this.runMessage = st.message || '';
    this.connected = true;
    this.writeHash();
    this.emit('role', this.role);
    this.emit('config', this.effectiveConfig());
    this.emit('run', this);
  }

  applyConfig(message) {
    this.config = { ...message.config };
    this.configVersion = message.config_version;
    for (const name of message.changed || []) {
      if (this.inFlight[name]) this.inFlight[name] -= 1;
    }
    // Drop an edit once confirmed, or once the server answered every set of it
    // (it may have normalised the value).
    for (const name of Object.keys(this.pending)) {
      if (sameValue(this.pending[name], this.config[name]) || !this.inFlight[name]) {
        delete this.pending[name];
        delete this.inFlight[name];
      }
    }
    if (message.rebuilt) this.divergedAt = null;
    this.writeHash();
    this.emit('config', this.effectiveConfig());
  }

  /** An edit was refused: drop the edits in flight so controls show the truth again. */
  rejectPending() {
    this.pending = {};
    this.inFlight = {};
    this.emit('config', this.effectiveConfig());
  }

  applyRunState({ running, step, diverged_at: divergedAt, message }) {
    if (running !== undefined) this.running = running;
    if (step !== undefined) this.step = step;
    if (divergedAt !== undefined) this.divergedAt = divergedAt;
    if (message !== undefined) this.runMessage = message;
    this.emit('run', this);
  }

  setConnected(connected) {
    this.connected = connected;
    this.emit('connected', connected);
  }

  // --- controller token: per session in this browser, never in the URL ------------
  // Kept across closing the tab, so the presenter who reopens the address steers again.

  get token() {
    try { return this.session ? localStorage.getItem(TOKEN_KEY + this.session) : null; } catch { return null; }
  }

  set token(value) {
    try { if (this.session) localStorage.setItem(TOKEN_KEY + this.session, value); } catch { /* ignore */ }
  }

  /** The name this browser's student gave when joining a class (the server checks it too). */
  get name() {
    try { return localStorage.getItem(NAME_KEY); } catch { return null; }
  }

  set name(value) {
    try { if (value) localStorage.setItem(NAME_KEY, value); else localStorage.removeItem(NAME_KEY); } catch { /* ignore */ }
  }

  // --- URL hash (urlstate.js) ----------------------------------------------

  /** Session, watch flag and config of the link the page was opened with. */
  readHash() {
    const { session, watch, config } = readHash(this.url.read(), this.schema);
    this.session = session;
    this.watch = watch;
    return { session, config };
  }

  writeHash() {
    this.url.write(writeHash(this.schema, this.config, this.session, this.watch));
  }

  /** Link for students: the session id alone, so it never carries a token. */
  shareUrl() {
    return this.url.absolute(shareHash(this.session));
  }
}

function loadCachedSchema() {
  try { return JSON.parse(localStorage.getItem(SCHEMA_KEY) || 'null'); } catch { return null; }
}
