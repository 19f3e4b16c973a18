// The room in the share area. The presenter's side: "12 following ▾", whose menu lists the
// names students gave and holds "Students' screens": checkboxes that put every student's
// screen into presentation mode and hide panels there (a `pace` command; the server's `pacing` answer
// sets the menu). A student's side: the pacing applied (presentation mode, panels hidden)
// and one small line saying so, and saying when the presenter has left and is back. Words
// and the panels' parts are in pacing.js; the server owns the panel names (hello.panels).
// Releasing the class and a student's own copy: release.js, whose line this one shows; the
// class's pooled runs: pool.js, whose buttons sit beside release.js's.

import { DevicesView } from './devices.js';
import { msg } from './protocol.js';
import { followerLines, followingText, hiddenParts, watcherLine } from './pacing.js';
import { ReleaseView } from './release.js';
import { PoolView } from './pool.js';

export class RoomView {
  constructor(page) {
    this.page = page;
    this.pacing = { present: false, hide: [] };
    this.presenter = { connected: true, message: '' };
    this.pushedPresent = null; // the presentation mode last pushed by the presenter
    this.watching = 0;
    this.unanswered = 0; // `pace` commands sent and not yet answered by a `pacing`
    const root = page.root;
    // One button keeps the top bar on one line at 1366 px: its menu lists the names, then the screens' settings.
    this.following = root.createElement('button');
    Object.assign(this.following, { type: 'button', id: 'room-following', className: 'small' });
    this.following.title = 'Who is following (the names students gave), and what every student’s screen shows';
    // Like the join code beside it: a small label over a number the room can read.
    const label = root.createElement('span');
    label.className = 'join-label';
    label.textContent = 'following';
    this.count = root.createElement('span');
    this.count.className = 'room-count';
    this.following.append(label, this.count);
    this.menu = root.createElement('div');
    this.menu.id = 'room-menu';
    this.menu.className = 'room-popup';
    this.menu.hidden = true;
    this.names = root.createElement('ul');
    this.names.id = 'room-names';
    this.screens = root.createElement('div');
    this.screens.id = 'room-pace-menu';
    this.screens.setAttribute('role', 'group');
    this.screens.setAttribute('aria-label', 'Students’ screens');
    this.menu.append(heading(root, 'Following'), this.names, heading(root, 'Students’ screens'), this.screens);
    this.following.setAttribute('aria-controls', this.menu.id);
    this.following.setAttribute('aria-expanded', 'false');
    this.following.addEventListener('click', () => this.setOpen(this.menu.hidden));
    const box = root.createElement('span');
    box.className = 'room-box';
    box.append(this.following, this.menu);
    page.$('#share').append(box);
    this.line = root.createElement('span');
    this.line.id = 'room-line';
    this.line.setAttribute('aria-live', 'polite');
    page.$('.session').prepend(this.line);
    root.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.setOpen(false); });
    root.addEventListener('click', (e) => { if (!e.target.closest?.('.room-box')) this.setOpen(false); });
    this.release = new ReleaseView(page);
    this.pool = new PoolView(page, this.release.box);
    this.devices = new DevicesView(page, this.menu);
    page.state.on('role', () => this.render());
  }

  setOpen(open) {
    this.menu.hidden = !open;
    this.following.setAttribute('aria-expanded', String(open));
  }

  setHello(hello) {
    this.unanswered = 0; // a new connection: nothing sent on it yet
    this.buildMenu(hello.panels || []);
    this.presenter = { connected: hello.presenter !== false, message: 'the presenter is not connected; the session stays as they left it until they are back' };
    if (hello.room) this.setRoom(hello.room);
    this.setPacing(hello.pacing || { present: false, hide: [] }, hello.role);
    this.release.setHello(hello);
    this.pool.setHello(hello);
  }

  receive(m) {
    if (m.type === 'room') this.setRoom(m);
    else if (m.type === 'pacing') this.setPacing(m, this.page.state.role);
    else if (m.type === 'presenter') {
      this.presenter = m;
      this.render(); // the line says it while it lasts; the return is also flashed, as good news
      if (m.connected) this.page.banner.flash(m.message, 4000);
    }
    else if (m.type === 'role') this.demoted(m);
    else if (m.type === 'released') this.release.receive(m);
    else if (m.type === 'pool' || m.type === 'pool_sent') this.pool.receive(m);
    else if (m.type === 'devices') this.devices.receive(m);
  }

  setRoom(room) {
    this.count.textContent = `${room.watching} ▾`;
    this.following.setAttribute('aria-label', followingText(room));
    this.watching = room.watching;
    this.render();
    this.names.replaceChildren(...followerLines(room).map((text) => {
      const li = this.page.root.createElement('li');
      li.textContent = text;
      return li;
    }));
  }

  /** A class follows, or explores its own copies: this page presents, and "Join a class" gives
   * its room in the top bar to the count and to "Release" or "Bring back". */
  markFollowed() {
    const { page } = this;
    const presenting = page.state.isController && !this.release.hello?.fork;
    page.root.body.dataset.followed = String(presenting && (this.watching > 0 || this.release.released));
  }

  /** The pacing the server holds: the menu shows it; a student's screen takes it. */
  setPacing(pacing, role) {
    this.pacing = { present: !!pacing.present, hide: pacing.hide || [] };
    // The answer to an older click must not untick a newer one: the boxes show the server's
    // pacing once every `pace` sent has been answered.
    if (this.unanswered > 0) this.unanswered -= 1;
    if (!this.unanswered) {
      for (const box of this.screens.querySelectorAll('input')) {
        box.checked = box.name === 'present' ? this.pacing.present : this.pacing.hide.includes(box.name);
      }
    }
    if (role !== 'controller' && this.pushedPresent !== this.pacing.present) {
      if (this.pacing.present || this.pushedPresent !== null) this.page.presentation?.set(this.pacing.present);
      this.pushedPresent = this.pacing.present;
    } else if (role === 'controller' && this.pushedPresent) { // a student's own copy: their settings back
      this.page.presentation?.set(false);
      this.pushedPresent = null;
    }
    this.render();
  }

  buildMenu(panels) {
    const root = this.page.root;
    const row = (name, label) => {
      const l = root.createElement('label');
      const box = root.createElement('input');
      box.type = 'checkbox';
      box.name = name;
      box.addEventListener('change', () => this.send());
      l.append(box, ` ${label}`);
      return l;
    };
    const hide = root.createElement('p');
    hide.className = 'room-sub';
    hide.textContent = 'hide:';
    this.screens.replaceChildren(row('present', 'presentation mode'), hide, ...panels.map((p) => row(p.name, p.label)));
  }

  send() {
    if (!this.page.state.isController) return;
    const boxes = [...this.screens.querySelectorAll('input')];
    const hide = boxes.filter((b) => b.name !== 'present' && b.checked).map((b) => b.name);
    const present = boxes.find((b) => b.name === 'present')?.checked ?? false;
    this.page.send(msg.pace(present, hide));
    this.unanswered += 1;
  }

  /** Another tab took the controller seat: this one watches, and its link says so. */
  demoted(m) {
    const { state } = this.page;
    state.watch = true;
    state.role = m.role;
    state.writeHash();
    state.emit('role', m.role);
    this.page.banner.showError(m.message, 15000);
  }

  render() {
    const { page } = this;
    const watcher = page.state.role !== null && !page.state.isController;
    const copy = !!this.release.hello?.fork; // a student's own copy: nobody follows it
    // Released, nobody follows: "0 following" gives its room in the top bar to "Bring back".
    const idle = this.release.released && !this.watching;
    this.following.hidden = watcher || !page.state.role || copy || idle;
    if (watcher) this.setOpen(false); // a tab that stopped presenting
    this.markFollowed();
    for (const el of page.$$('[data-paced="hidden"]')) delete el.dataset.paced;
    if (watcher) for (const sel of hiddenParts(this.pacing)) for (const el of page.$$(sel)) el.dataset.paced = 'hidden';
    // The presenter's absence first (it says it all), then the class's release, then the pacing.
    const away = watcher && !this.presenter.connected;
    const text = (!away && this.release.line()) || (watcher ? watcherLine(this.presenter, this.pacing) : '');
    this.line.textContent = text;
    this.line.hidden = !text;
    this.line.dataset.away = String(watcher && !this.presenter.connected);
    this.line.dataset.released = String(!away && !!this.release.line());
    this.pool?.render();
  }
}

function heading(root, text) {
  const h = root.createElement('h3');
  h.className = 'room-head';
  h.textContent = text;
  return h;
}
