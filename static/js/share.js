// Joining a class. The presenter's share area: the session's join code in large type (its
// link is the watch link) and "QR": the join code, its QR code (drawn by the server,
// /qr.svg), the address students type it at and a copy button, full-screen for a room. The
// students' way in: "Join a class", a code typed on the front page (open there at first)
// becomes the watch view of that session. Links use the address students can reach
// (urlstate.js, browserUrl.base), never the presenter's `localhost`.

import { codeProblem, normaliseCode } from './joincode.js';
import { cleanName } from './pacing.js';
import { shareHash } from './urlstate.js';

export class Share {
  constructor(page) {
    this.page = page;
    const { state } = page;
    this.link = page.$('#share-link');
    this.qrButton = page.$('#share-qr');
    this.joinButton = page.$('#btn-join');
    this.overlay = buildOverlay(page.root);
    this.form = buildForm(page.root);
    page.$('.topbar').append(this.form);
    this.form.querySelector('#join-name').value = state.name || ''; // remembered from the last class
    page.root.body.append(this.overlay);
    this.overlay.querySelector('.qr-copy').addEventListener('click', (e) => { e.stopPropagation(); this.copyLink(); });
    this.qrButton.addEventListener('click', () => this.showQr());
    this.overlay.addEventListener('click', () => this.hideQr());
    this.joinButton.addEventListener('click', () => this.setForm(this.form.hidden));
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.join(); });
    this.form.querySelector('.join-close').addEventListener('click', () => this.setForm(false));
    page.root.addEventListener('keydown', (e) => this.onKey(e));
    state.on('role', () => this.showCode());
    // The bare front page is where a student types the code (a link to a setup is not): the
    // form stays open until closed, or until this page's own session trains (a presenter's
    // page). While it is open this page's own code is hidden: a student cannot take it for the class's.
    this.setForm(!state.url.read().replace(/^#/, ''));
    state.on('run', (s) => {
      const typing = this.form.contains(page.root.activeElement);
      if ((s.running || s.step > 0) && s.isController && !typing) this.setForm(false);
    });
  }

  showCode() {
    const { state } = this.page;
    this.link.href = state.shareUrl();
    this.link.textContent = state.session;
    this.page.$('#share').hidden = !this.form.hidden;
  }

  async copyLink() {
    const { state, banner } = this.page;
    try {
      await navigator.clipboard.writeText(state.shareUrl());
      banner.flash('link copied');
    } catch {
      prompt('Copy this link for students:', state.shareUrl());
    }
  }

  showQr() {
    const { state } = this.page;
    const o = this.overlay;
    o.querySelector('img').src = `/qr.svg?session=${encodeURIComponent(state.session)}`;
    o.querySelector('.qr-code b').textContent = state.session;
    o.querySelector('.qr-address b').textContent = state.shareUrl().split('#')[0];
    o.hidden = false;
    o.focus();
  }

  hideQr() {
    if (this.overlay.hidden) return;
    this.overlay.hidden = true;
    this.qrButton.focus();
  }

  setForm(open) {
    this.form.hidden = !open;
    this.joinButton.setAttribute('aria-expanded', String(open));
    if (!open) this.form.querySelector('.join-problem').hidden = true;
    this.page.$('#share').hidden = open || !this.page.state.role;
  }

  /** The typed code, normalised, becomes the watch link: main.js reloads the page on a new hash. */
  join() {
    const input = this.form.querySelector('input');
    const code = normaliseCode(input.value);
    const problem = this.form.querySelector('.join-problem');
    problem.hidden = code !== null;
    if (code === null) { problem.textContent = codeProblem(input.value); input.focus(); return; }
    this.page.state.name = cleanName(this.form.querySelector('#join-name').value); // sent with the join
    const hash = shareHash(code);
    if (location.hash === hash) location.reload();
    else location.hash = hash;
  }

  onKey(e) {
    if (e.key !== 'Escape') return;
    if (!this.overlay.hidden) this.hideQr();
    else if (!this.form.hidden) {
      if (this.form.contains(e.target)) this.joinButton.focus();
      this.setForm(false);
    }
  }
}

function el(root, tag, attrs = {}, children = []) {
  const e = root.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function buildOverlay(root) {
  return el(root, 'div', { id: 'qr-overlay', class: 'qr-overlay', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Join this session', tabindex: '-1', hidden: '' }, [
    el(root, 'img', { class: 'qr-image', alt: 'QR code of the watch link' }),
    el(root, 'div', { class: 'qr-words' }, [
      el(root, 'p', { class: 'qr-code' }, ['Join code ', el(root, 'b')]),
      el(root, 'p', { class: 'qr-address' }, ['Scan the code, or open ', el(root, 'b'), ' and type the join code']),
      el(root, 'p', { class: 'qr-hint' }, [
        el(root, 'button', { type: 'button', class: 'small qr-copy', title: 'Copy the watch link, to send it to students' }, ['copy the link']),
        ' Esc or a click closes this',
      ]),
    ]),
  ]);
}

function buildForm(root) {
  return el(root, 'form', { id: 'join-form', class: 'join-form', 'aria-label': 'Join a class', hidden: '' }, [
    el(root, 'label', { for: 'join-code' }, ['Join a class:']),
    el(root, 'input', {
      id: 'join-code', name: 'code', type: 'text', placeholder: 'code, e.g. K7MQ3P', maxlength: '16',
      autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', enterkeyhint: 'go',
    }),
    el(root, 'button', { type: 'submit', class: 'primary' }, ['Join']),
    el(root, 'button', { type: 'button', class: 'small join-close', 'aria-label': 'Close', title: 'Close (Esc)' }, ['✕']),
    el(root, 'label', { class: 'join-name-label', for: 'join-name' }, ['Your name', el(root, 'small', {}, [' (optional, for the presenter’s list)'])]),
    el(root, 'input', {
      id: 'join-name', name: 'name', type: 'text', placeholder: 'e.g. Ada', maxlength: '40', autocomplete: 'given-name',
    }),
    el(root, 'p', { class: 'join-problem', role: 'alert', hidden: '' }, []),
    el(root, 'p', { class: 'join-hint' }, ['Presenting? Close this (✕) to show your own session’s join code.']),
  ]);
}
