// #banner shows what needs attention: a refused change (for a while) or a
// divergence (until reset). #notice shows short confirmations.

export class Banner {
  constructor(banner, notice) {
    this.el = banner;
    this.notice = notice;
    this.error = null;
    this.lasting = false;
    this.diverged = null;
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

  setDiverged(step) {
    this.diverged = step ?? null;
    this.render();
  }

  render() {
    const el = this.el;
    let text = '';
    let kind = '';
    if (this.error) { text = this.error; kind = 'error'; }
    else if (this.diverged !== null) { text = `Diverged at step ${this.diverged} — press reset`; kind = 'diverged'; }
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
