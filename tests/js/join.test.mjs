import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isRetriedLinkError, isWaitingForPresenter, Join, needsNewSession, protocolMismatch,
} from '../../static/js/join.js';
import { PROTOCOL_VERSION } from '../../static/js/protocol.js';
import { Backoff, socketUrl } from '../../static/js/socket.js';
import { State } from '../../static/js/state.js';
import { CONFIG, SCHEMA } from './schema.mjs';

test("a server speaking another protocol is named in plain words; the page's own version passes", () => {
  assert.equal(protocolMismatch(PROTOCOL_VERSION), null);
  assert.equal(protocolMismatch(2, 1), 'this page speaks protocol 1, the server 2: reload the page');
  assert.ok(protocolMismatch(undefined)); // a server too old to say
});

test("a watcher's join is retried while the presenter's session is not running", () => {
  assert.ok(isWaitingForPresenter({ type: 'error', field: 'session', message: 'this session is waiting for its presenter' }));
  assert.ok(!isWaitingForPresenter({ type: 'error', field: 'session', message: 'unknown session' }));
  assert.ok(!isWaitingForPresenter({ type: 'error', field: 'config.seed', message: 'waiting for its presenter' }));
});

test("the join's complaint about a link field sent again typed is not shown", () => {
  const fields = new Set(['hidden', 'layer_activations']);
  const err = (field, message = 'must be a list; the default was used') => ({ type: 'error', field, message });
  assert.ok(isRetriedLinkError(err('config.hidden'), fields));
  assert.ok(isRetriedLinkError(err('config.layer_activations[2]'), fields));
  assert.ok(!isRetriedLinkError(err('config.seed'), fields));
  assert.ok(!isRetriedLinkError(err('config.hidden', 'must be at most 16'), fields));
  assert.ok(!isRetriedLinkError({ type: 'error', message: 'default was used' }, fields));
});

test('reconnection waits double each time up to a cap, and start short again once accepted', () => {
  const b = new Backoff(500, 4000);
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [500, 1000, 2000, 4000, 4000]);
  b.reset();
  assert.equal(b.next(), 500);
});

test('the websocket URL names the session a proxy routes by, and only when there is one', () => {
  assert.equal(socketUrl({ protocol: 'http:', host: 'lab:8000' }, 'k3J9x0_-'), 'ws://lab:8000/ws?session=k3J9x0_-');
  assert.equal(socketUrl({ protocol: 'https:', host: 'school.example' }), 'wss://school.example/ws');
});

test("the server's request for a new session id is told from other session errors", () => {
  const err = (message) => ({ type: 'error', field: 'session', message });
  assert.ok(needsNewSession(err("session 'AAAAAAAA' is not running; start a new one (POST /session gives its id)")));
  assert.ok(!needsNewSession(err('this session is not running; waiting for its presenter to start it')));
  assert.ok(!needsNewSession({ type: 'error', field: 'config.seed', message: 'start a new one' }));
});

/** A Join on a page whose address bar is `hash`, over fake websockets: `sockets` holds each one opened. */
function joinOver(hash) {
  const sockets = [];
  const issued = ['K7MQ3P', 'Q8RT2W'];
  globalThis.location = { protocol: 'http:', host: 'lab' };
  globalThis.fetch = async (url, init) => {
    assert.deepEqual([url, init.method], ['/session', 'POST']);
    const session = issued.shift();
    return { ok: true, json: async () => ({ session, token: `token-of-${session}` }) };
  };
  globalThis.WebSocket = class {
    static OPEN = 1;
    constructor(url) { this.url = url; this.readyState = 0; this.sent = []; sockets.push(this); }
    open() { this.readyState = 1; this.onopen(); }
    send(text) { this.sent.push(JSON.parse(text)); }
    close() { this.readyState = 3; this.onclose(); }
  };
  const url = { hash, read: () => url.hash, write: (h) => { url.hash = h; }, absolute: (h) => `http://lab/${h}` };
  const state = new State({ url });
  state.schema = SCHEMA;
  const shown = [];
  const page = {
    state, root: { body: { dataset: {} } }, banner: { showError: (t) => shown.push(t), showNoRoom: (t) => t && shown.push(t) }, $: () => ({}),
    onHello: (h) => state.applyHello(h), receive: (m) => shown.push(m), onBinary: () => {},
  };
  const join = new Join(page);
  join.start();
  return { join, state, sockets, shown };
}

const routed = (ws) => new URL(ws.url).searchParams.get('session');
const hello = (session) => ({
  type: 'hello', protocol: PROTOCOL_VERSION, session, role: 'controller', token: 't', schema: SCHEMA,
  config: { ...CONFIG }, config_version: 0, state: { running: false, step: 0, diverged_at: null },
});

/** Until the fake server has answered POST /session and the socket that follows is open. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test("a fresh page asks the server for a new session's id and token, names the id in the URL and joins with both", async () => {
  const { state, sockets } = joinOver('');
  await settle();
  sockets[0].open();
  assert.equal(routed(sockets[0]), 'K7MQ3P');
  assert.equal(sockets[0].sent[0].type, 'join');
  assert.deepEqual([sockets[0].sent[0].session, sockets[0].sent[0].token], ['K7MQ3P', 'token-of-K7MQ3P']);
  sockets[0].onmessage({ data: JSON.stringify(hello('K7MQ3P')) });
  assert.equal(state.session, 'K7MQ3P');
  assert.equal(routed(sockets[0]), 'K7MQ3P');
});

test("a link whose session has ended starts a new one under a new id from the server, the link's config kept", async () => {
  const { state, sockets, shown } = joinOver('#noise=0.2&session=AAAAAAAA');
  sockets[0].open();
  assert.equal(routed(sockets[0]), 'AAAAAAAA');
  assert.equal(sockets[0].sent[0].session, 'AAAAAAAA');
  const gone = "session 'AAAAAAAA' is not running; start a new one (POST /session gives its id)";
  sockets[0].onmessage({ data: JSON.stringify({ type: 'error', field: 'session', message: gone }) });
  await settle();
  assert.equal(sockets.length, 2, 'connects again at once, so a proxy can route the new id');
  sockets[1].open();
  assert.equal(routed(sockets[1]), 'K7MQ3P');
  assert.deepEqual([sockets[1].sent[0].session, sockets[1].sent[0].token], ['K7MQ3P', 'token-of-K7MQ3P']);
  assert.equal(sockets[1].sent[0].config.noise, 0.2);
  assert.deepEqual(shown, [], 'the request for a new id is not shown as an error');
  sockets[1].onmessage({ data: JSON.stringify(hello('K7MQ3P')) });
  assert.equal(state.session, 'K7MQ3P');
});

test("a mistyped link's session is not sent: the page asks for a new one as a fresh page does", async () => {
  const { sockets } = joinOver('#session=abc');
  await settle();
  sockets[0].open();
  assert.equal(routed(sockets[0]), 'K7MQ3P');
  assert.equal(sockets[0].sent[0].session, 'K7MQ3P');
});

test('a server with no room: its reason stays on the page, and the page asks again no sooner than 5 s', async () => {
  const { join, sockets, shown } = joinOver('');
  await settle();
  sockets[0].open();
  const reason = 'the server is full (1 session); try again in a minute';
  sockets[0].onmessage({ data: JSON.stringify({ type: 'error', field: 'session', message: reason }) });
  let retryMs = null;
  const onClose = join.conn.handlers.onClose;
  join.conn.handlers.onClose = (closed) => { retryMs = closed.retryMs; onClose(closed); };
  sockets[0].onclose({ code: 1013 });
  assert.equal(shown.at(-1), reason);
  assert.ok(retryMs >= 5000, retryMs);
  join.conn.stop();
});
