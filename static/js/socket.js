// Owns the websocket: connects, hands messages to the callbacks, and
// reconnects with exponential backoff. What to send on (re)connect is the
// caller's business (onOpen), so a rejoin always uses the current state.

export class Connection {
  constructor({ onOpen, onText, onBinary, onClose }) {
    this.handlers = { onOpen, onText, onBinary, onClose };
    this.ws = null;
    this.delay = 500;
    this.timer = null;
  }

  url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${location.host}/ws`;
  }

  connect() {
    clearTimeout(this.timer);
    const ws = new WebSocket(this.url());
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => this.handlers.onOpen();
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') {
        let message;
        try { message = JSON.parse(ev.data); } catch { return; }
        this.handlers.onText(message);
      } else {
        this.handlers.onBinary(ev.data);
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.handlers.onClose();
      this.timer = setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 10000);
    };
  }

  /** Call once the server has accepted us, so the next drop retries quickly again. */
  resetBackoff() {
    this.delay = 500;
  }

  /** Drop the current connection and connect again at once (e.g. to join another session). */
  reconnect() {
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close();
    this.connect();
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    return false;
  }
}
