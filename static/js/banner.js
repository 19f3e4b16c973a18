// #banner shows what needs attention: no room on the server for this page (until it
// gets in), a refused change (for a while) or a divergence (until reset), in the server's
// words: which limit was met and what to do, which step diverged and which one is shown.
// #notice shows short confirmations.

export class Banner {
  constructor(banner, notice) {
    this.el = banner;
    this.notice = notice;
    this.error = null;
    this.noRoom = null; // the server's refusal that closed the connection (socket.js, CLOSE_FULL)
    this.lasting = false;
    this.diverged = null;
    this.divergedMessage = '';
    this.timer = null;
    this.noticeTimer = null;
    this.render();
  }

  /** For `ms` (Infinity: until the page reloads, e.g. a server this page cannot read). */
  showError(text, ms = 8000) {
    if (this.lasting) return; // nothing else matters until the reload
    this.error = text;
    this.lasting = ms === Infinity;
    clearTimeout(this.timer);
    if (!this.lasting) this.timer = setTimeout(() => { this.error = null; this.render(); }, ms);
    this.render();
  }

  /** The server had no room for this page and said why (null: it has joined since). Shown
   * until then, whatever else comes and goes: without it the page would stand empty. */
  showNoRoom(text) {
    if (!text && this.noRoom && !this.lasting) { // in at last: the refusal's own error is old news
      this.error = null;
      clearTimeout(this.timer);
    }
    this.noRoom = text ? `${text[0].toUpperCase()}${text.slice(1)} — this page tries again by itself` : null;
    this.render();
  }

  /** step: the step that diverged (null: none); message: the server's state.message about it. */
  setDiverged(step, message = '') {
    this.diverged = step ?? null;
    this.divergedMessage = this.diverged === null ? '' : message || '';
    this.render();
  }

  render() {
    const el = this.el;
    let text = '';
    let kind = '';
    if (this.noRoom && !this.lasting) { text = this.noRoom; kind = 'error'; }
    else if (this.error) { text = this.error; kind = 'error'; }
    else if (this.diverged !== null) {
      const m = this.divergedMessage || `step ${this.diverged} diverged`;
      text = `${m[0].toUpperCase()}${m.slice(1)} — press reset`;
      kind = 'diverged';
    }
    el.textContent = text;
    el.title = text;
    el.dataset.kind = kind;
    el.hidden = !text;
  }

  flash(text, ms = 1800) {
    this.notice.textContent = text;
    this.notice.hidden = false;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => { this.notice.hidden = true; }, ms);
  }
}
