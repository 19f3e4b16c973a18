// Presentation mode (button and key "p"): for a projector at the back of a room. Large
// type and thick lines (every chart draws at a larger scale), the expert settings folded
// away, the network, output, loss and gradient health given the screen. Per screen: a
// student's phone and the teacher's projector choose for themselves; a reload keeps it.

import { setCanvasZoom } from './canvas.js';
import { describe } from './help.js';

const ZOOM = 1.4;
const KEY = 'backprop-lab-present';

export class Presentation {
  constructor(page) {
    this.page = page;
    const b = page.root.createElement('button');
    b.type = 'button';
    b.id = 'btn-present';
    b.className = 'cmd';
    b.textContent = 'Present';
    describe(b, 'Presentation mode: large type and thick lines for a projector, settings folded away (key: p)');
    b.addEventListener('click', () => this.set(!this.on));
    page.$('.experiments').after(b);
    this.button = b;
    page.root.addEventListener('keydown', (e) => {
      const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName);
      if (e.key === 'p' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) this.set(!this.on);
    });
    this.set(sessionStorage.getItem(KEY) === 'true');
  }

  set(on) {
    this.on = on;
    this.page.root.body.dataset.present = String(on);
    this.button.setAttribute('aria-pressed', String(on));
    sessionStorage.setItem(KEY, String(on));
    setCanvasZoom(on ? ZOOM : 1);
    this.page.redraw();
  }
}
