// Owns the websocket: connects, hands messages to the callbacks, and
// reconnects with exponential backoff. What to send on (re)connect is the
// caller's business (onOpen), so a rejoin always uses the current state; what
// must be had before connecting (a new session's id, from the server) is prepare's.
// The session id goes in the URL too (`/ws?session=ID`): a proxy in front of several
// servers routes by it (README, "Serving a whole school").

/** The close code of a server or session with no room for this page (docs/protocol.md). */
export const CLOSE_FULL = 1013;
/** The close code of a session the server's own computer ended (server/devices.py): no reconnecting. */
export const CLOSE_ENDED = 4001;
/** After "no room", ask again no sooner than this: room frees up as people leave, not at once. */
export const FULL_RETRY_MS = 5000;

/** Delays between reconnection attempts: doubling from `first` up to `max`. */
export class Backoff {
  constructor(first = 500, max = 10000) {
    this.first = first;
    this.max = max;
    this.delay = first;
  }

  /** The delay to wait now; the next one is twice as long. */
  next() {
    const d = this.delay;
    this.delay = Math.min(this.delay * 2, this.max);
    return d;
  }

  reset() {
    this.delay = this.first;
  }
}

/** The websocket's address beside the page's (a `location`), naming the session to route by. */
export function socketUrl({ protocol, host }, session = null) {
  const proto = protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${host}/ws` + (session ? `?session=${encodeURIComponent(session)}` : '');
}

export class Connection {
  /** route() is the session id the next connection's URL names (null: none). prepare(): null,
   * or a promise to wait for before connecting (tried again with backoff if it fails).
   * onClose({code, refusal, retryMs}): refusal is the server's reason when it had no room
   * (CLOSE_FULL), else null; retryMs, how soon this connection tries again. */
  constructor({ onOpen, onText, onBinary, onClose, route = () => null, prepare = () => null }) {
    this.handlers = { onOpen, onText, onBinary, onClose, route, prepare };
    this.ws = null;
    this.backoff = new Backoff();
    this.timer = null;
    this.attempt = 0; // a stop() or a newer connect() makes an older one's preparation moot
  }

  url() {
    return socketUrl(location, this.handlers.route());
  }

  connect() {
    clearTimeout(this.timer);
    const attempt = ++this.attempt;
    const pending = this.handlers.prepare();
    if (!pending) { this.open(); return; }
    pending.then(
      () => { if (attempt === this.attempt) this.open(); },
      () => { if (attempt === this.attempt) this.timer = setTimeout(() => this.connect(), this.backoff.next()); },
    );
  }

  open() {
    const ws = new WebSocket(this.url());
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => this.handlers.onOpen();
    let said = null; // the last error: the reason, when the server closes with CLOSE_FULL
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') {
        let message;
        try { message = JSON.parse(ev.data); } catch { return; }
        if (message.type === 'error') said = message.message;
        this.handlers.onText(message);
      } else {
        this.handlers.onBinary(ev.data);
      }
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (ev?.code === CLOSE_ENDED) { this.handlers.onClose({ code: ev.code, refusal: null, retryMs: null }); return; }
      const full = ev?.code === CLOSE_FULL;
      const retryMs = full ? Math.max(FULL_RETRY_MS, this.backoff.next()) : this.backoff.next();
      const refusal = full ? said || 'the server has no room for this page now' : null;
      this.handlers.onClose({ code: ev?.code, refusal, retryMs });
      this.timer = setTimeout(() => this.connect(), retryMs);
    };
  }

  /** Call once the server has accepted us, so the next drop retries quickly again. */
  resetBackoff() {
    this.backoff.reset();
  }

  /** Connect again now, to the URL route() names now (a proxy may send it elsewhere). */
  restart() {
    this.stop();
    this.connect();
  }

  /** Close for good: no reconnection (a server this page cannot read). */
  stop() {
    this.attempt++;
    const ws = this.ws;
    this.ws = null; // its onclose sees it is no longer current and does not reconnect
    clearTimeout(this.timer);
    if (ws) ws.close();
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    return false;
  }
}
