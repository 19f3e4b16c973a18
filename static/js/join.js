// Joining a session: the first join (the link's session and config), the re-join
// after every reconnect (with the current state), waiting for a presenter whose
// session is not running yet, and the link's values sent again with their schema
// types once hello has brought the schema. The message tests are pure (tests/js).
// A new session's id and token come from the server (POST /session) before the page
// connects, and the id is named in the websocket's URL, so that a proxy routing by id sends
// the page's connections, and its students', to the server that makes it (README, "Serving
// a whole school"). The server makes a session under a named id only with its token: an id
// of the page's choosing would let a student's page make a class's ended session its own.

import { msg, PROTOCOL_VERSION } from './protocol.js';
import { CLOSE_ENDED, Connection } from './socket.js';
import { linkCorrections } from './urlstate.js';
import { isSessionId } from './joincode.js';

export const PRESENTER_RETRY_MS = 2000;
// Said when the close comes without the server's `ended` message before it.
const ENDED_UNSAID = 'this session was ended from the server’s computer';

/** The banner's text when the server speaks another protocol version, else null. */
export function protocolMismatch(version, ours = PROTOCOL_VERSION) {
  return version === ours ? null : `this page speaks protocol ${ours}, the server ${version}: reload the page`;
}

/** A join the server wants under a new id: the link's session has ended. */
export function needsNewSession(m) {
  return m.field === 'session' && /start a new one/.test(m.message || '');
}

/** A new session's id and token, from the server: {session, token}. */
export async function issueSession(fetcher = globalThis.fetch) {
  const r = await fetcher('/session', { method: 'POST' });
  if (!r.ok) throw new Error(`POST /session answered ${r.status}`);
  return r.json();
}

/** A viewer's join refused because the presenter's session does not run (yet). */
export function isWaitingForPresenter(m) {
  return m.field === 'session' && /waiting for its presenter/.test(m.message || '');
}

/** The join's "default was used" for a link field that has been sent again, typed. */
export function isRetriedLinkError(m, linkFields) {
  const name = typeof m.field === 'string' ? m.field.replace(/^config\./, '').replace(/\[.*$/, '') : '';
  return linkFields.has(name) && /default was used/.test(m.message || '');
}

/**
 * The join this page sends. The controller's token is kept per session in this browser, so
 * the presenter who closes the tab and reopens its address steers again. A page opened as a
 * student's (the link's watch=1), or one whose seat another tab took (it watches since), never
 * presents it: a presenter previewing the students' link on the same laptop stays in control.
 */
export function joinMessage(state, config) {
  const token = state.watch ? null : state.token;
  return msg.join(state.session, token, config, state.watch, state.watch ? state.name : null);
}

export class Join {
  constructor(page) {
    this.page = page;
    const { state } = page;
    this.hash = state.url.read(); // read again with types once the schema is known
    const { session, config } = state.readHash();
    this.requested = { session, config };
    if (!isSessionId(session)) state.session = null; // a mistyped link: a new session, as before
    this.linkFields = new Set(); // the link's fields re-sent after hello
    this.retry = null;
    this.issued = null; // {session, token} of the session this page makes, if it makes one
    this.conn = new Connection({
      route: () => state.session || this.issued?.session,
      prepare: () => (state.session || this.issued ? null : issueSession().then((got) => { this.issued = got; })),
      onOpen: () => this.send(),
      onText: (m) => this.onText(m),
      onBinary: (buffer) => page.onBinary(buffer),
      onClose: (closed) => this.onClose(closed),
    });
  }

  start() {
    this.page.root.body.dataset.connected = 'false';
    this.conn.connect();
  }

  send() {
    const { state } = this.page;
    const config = state.configVersion !== null ? state.config : this.requested.config;
    const join = joinMessage(state, config);
    if (!state.session) Object.assign(join, { session: this.issued.session, token: this.issued.token });
    this.conn.send(join);
  }

  onText(m) {
    if (m.type === 'hello') this.onHello(m);
    else if (m.type === 'error' && isRetriedLinkError(m, this.linkFields)) return;
    else if (m.type === 'error' && isWaitingForPresenter(m)) this.waitForPresenter();
    else if (m.type === 'error' && needsNewSession(m)) this.startNew();
    else if (m.type === 'ended') this.ended(m.message);
    else this.page.receive(m);
  }

  onHello(hello) {
    const mismatch = protocolMismatch(hello.protocol);
    if (mismatch) { this.conn.stop(); this.page.halt(mismatch); return; }
    clearTimeout(this.retry);
    this.page.banner.showNoRoom(null);
    const created = hello.session !== this.requested.session;
    this.page.onHello(hello);
    this.conn.resetBackoff();
    if (created && this.page.state.isController) this.correctLink();
    else this.linkFields = new Set();
    this.hash = '';
    this.requested.session = this.page.state.session;
  }

  /** A new session from a link: values the untyped join got wrong, sent again typed. */
  correctLink() {
    const { state } = this.page;
    const { fix, bad, fields } = linkCorrections(this.hash, state.schema, state.config);
    this.linkFields = fields;
    if (Object.keys(fix).length) state.edit(fix);
    // A value out of range goes alone, so the server's error names it precisely.
    for (const partial of bad) this.conn.send(msg.set(partial));
  }

  /** A student's page whose presenter has not come back (a server restart): ask again until it has. */
  waitForPresenter() {
    const code = this.page.state.session;
    this.page.banner.showError(`waiting for the presenter: session ${code} is not running yet (check the join code, or wait here)`);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.send(), PRESENTER_RETRY_MS);
  }

  /** A new session from the link's config, under a new id from the server; connecting again
   * lets a proxy route the new id. The session in the link still tells hello it was made anew. */
  startNew() {
    this.page.state.session = null;
    this.issued = null;
    this.conn.restart();
  }

  /** The server's own computer ended this session (server/devices.py): said, and not rejoined. */
  ended(message) {
    if (this.page.halted) return; // the message, then its close
    this.conn.stop();
    this.page.state.setConnected(false);
    this.page.root.body.dataset.connected = 'false';
    this.page.halt(`${message[0].toUpperCase()}${message.slice(1)} — reload the page to come back to it`);
  }

  onClose(closed) {
    const { page } = this;
    if (closed?.code === CLOSE_ENDED) { this.ended(ENDED_UNSAID); return; }
    if (closed?.refusal) page.banner.showNoRoom(closed.refusal);
    page.state.setConnected(false);
    page.root.body.dataset.connected = 'false';
    page.$('#conn').textContent = 'reconnecting…';
  }
}
