// Lock, release, bring everyone back, try it myself (server/release.py). The presenter's
// "Release" button gives every student a copy of the run as it stands, and becomes "Bring back",
// which has them follow again. A student following has "Try it myself" (a copy alone) and,
// once a copy is kept, "My run" (reopen it); on a copy, "Back to following". The server moves
// the page on its own socket and sends a new hello; this module keeps the copy's id and token
// per class in this browser, so "My run" works after a reload too. Words are in pacing.js.

import { classLine, moveNotice, moves, releaseButtons, releasedNotice } from './pacing.js';

const RUN_KEY = 'backprop-lab-run:'; // + the class's session id: {session, token} of this browser's copy

export class ReleaseView {
  constructor(page) {
    this.page = page;
    this.hello = null; // the last hello's {session, role, fork}
    this.released = false;
    const root = page.root;
    this.box = root.createElement('span');
    this.box.id = 'release-box';
    const button = (id, text, title, onClick) => {
      const b = root.createElement('button');
      Object.assign(b, { type: 'button', id, className: 'small', textContent: text, title, hidden: true });
      b.addEventListener('click', onClick);
      this.box.append(b);
      return b;
    };
    this.release = button('btn-release', 'Release', '', () => this.send(this.released ? moves.gather() : moves.release()));
    this.try = button('btn-try', 'Try it myself', 'Your own copy of the presenter’s run as it is now: change it and train it as you like', () => this.send(moves.try()));
    this.reopen = button('btn-reopen', 'My run', 'Reopen your own copy of the run, where you left it', () => this.reopenRun());
    this.follow = button('btn-follow', 'Back to following', 'Follow the presenter’s screen again; your copy is kept for you to reopen', () => this.send(moves.follow()));
    page.$('.session').insertBefore(this.box, page.$('#btn-join'));
  }

  send(message) {
    this.page.send(message);
  }

  setHello(hello) {
    const before = this.hello;
    this.hello = { session: hello.session, role: hello.role, fork: hello.fork || null };
    this.released = !!hello.released;
    if (hello.fork && hello.token) storeRun(hello.fork.of, { session: hello.session, token: hello.token });
    const notice = moveNotice(before, hello);
    if (notice) this.page.banner.flash(notice, 8000);
    this.page.root.body.dataset.fork = String(!!hello.fork);
    this.render();
  }

  receive(m) {
    this.released = m.released;
    if (this.page.state.isController) this.page.banner.flash(releasedNotice(m), 6000);
    this.render();
  }

  reopenRun() {
    const run = keptRun(this.hello?.session);
    if (!run) return;
    storeRun(this.hello.session, null); // kept again by the copy's hello; an expired copy is forgotten
    this.send(moves.reopen(run.session, run.token));
    this.render();
  }

  /** The state the buttons and the line are drawn from. */
  view() {
    const role = this.page.state.role;
    return { role, fork: this.hello?.fork || null, released: this.released, kept: keptRun(this.hello?.session) };
  }

  /** The line for RoomView's place in the top bar ('' for none). */
  line() {
    return classLine(this.view());
  }

  render() {
    const shown = releaseButtons(this.view());
    this.release.hidden = !shown.release;
    if (shown.release === 'gather') {
      this.release.textContent = 'Bring back';
      this.release.title = 'Bring everyone back: every student follows your screen again (their own runs are kept for them)';
    } else {
      this.release.textContent = 'Release';
      this.release.title = 'Release the class: every student gets their own copy of this run, as it is now, to explore';
    }
    this.release.dataset.released = String(this.released);
    this.try.hidden = !shown.try;
    this.reopen.hidden = !shown.reopen;
    this.follow.hidden = !shown.follow;
    this.page.room?.render();
  }
}

function keptRun(classId) {
  if (!classId) return null;
  try { return JSON.parse(localStorage.getItem(RUN_KEY + classId) || 'null'); } catch { return null; }
}

function storeRun(classId, run) {
  try {
    if (run) localStorage.setItem(RUN_KEY + classId, JSON.stringify(run));
    else localStorage.removeItem(RUN_KEY + classId);
  } catch { /* private mode: "My run" is not offered */ }
}
