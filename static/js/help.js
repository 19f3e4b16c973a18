// Help for every control and chart: a one-sentence explanation shown beside whatever the
// pointer or the keyboard focus is on (and given to screen readers as its description),
// and a "What am I looking at?" overlay for first-time users. Control texts come from the
// schema (the server's registries), chart texts from GUIDE below, the gradient measures'
// from hello.diagnostics: each written once.

// The overlay: what each panel shows and what its marks and symbols mean.
export const GUIDE = [
  ['Network', 'Each column is a layer and each square a neuron, drawn as its output over the whole input plane (blue high, orange low). '
    + 'Lines are weights: blue positive, orange negative, thicker larger. “links show” switches them to the gradient dW of the last step or its update ΔW.'],
  ['Output', 'The background is the network’s answer at every point of the plane: for two classes P(blue), the probability it gives the blue class; '
    + 'for regression the predicted value. Dots are the data: training points have a white rim, test points a dark one (“show test data” hides them).'],
  ['Loss', 'How wrong the network is, after each step, on the training points (solid) and the test points (dashed), and the learning rate in effect (right axis). '
    + 'Accuracy is the share of points classified right; R² is 1 for a perfect fit and 0 for no better than always guessing the mean.'],
  ['Gradient health', 'One row per layer, one column per step: ‖dW‖, the size (norm) of the layer’s weight gradient, on a log₁₀ colour scale where each step of '
    + 'the scale is ten times larger. Dark early rows mean vanishing gradients, bright ones exploding gradients. The gradient shown is the data loss’s, '
    + 'before clipping and regularization. “per neuron: mean |δ|”: δ = ∂L/∂z, how much the loss changes with a neuron’s weighted sum z, averaged over the batch.'],
  ['Distributions', 'How a layer’s weights, gradients or activations are spread over time: the line is the median, the bands hold the middle 38%, 68% and 86% '
    + 'of the values, and the palest band runs from the smallest to the largest.'],
  ['Layer stats', '‖ΔW‖ / ‖W‖: how much one update changes a layer’s weights, relative to their size (about 10⁻³ is healthy). Dead: units that output 0 for '
    + 'every sample of the batch (they no longer learn). Saturated: sigmoid or tanh units in their flat ends, where the slope f′ is near 0.'],
];

let counter = 0;
const HOVER_MS = 350;

/** Give `el` a help text: shown on hover and focus, read by screen readers. */
export function describe(el, text, target = el) {
  if (!text) return;
  el.dataset.help = text;
  el.removeAttribute('title');
  target.setAttribute('aria-description', text);
}

export class Help {
  constructor(doc) {
    this.doc = doc;
    this.bubble = doc.createElement('div');
    this.bubble.id = 'help-bubble';
    this.bubble.setAttribute('role', 'tooltip');
    this.bubble.hidden = true;
    doc.body.appendChild(this.bubble);
    this.measures = [];
    // The page's own titles become help like the controls' (one look, read on focus too).
    for (const el of doc.querySelectorAll('[title]')) describe(el, el.title);
    // The pointer: after a short rest, as tooltips do, so passing over controls shows nothing.
    doc.addEventListener('mouseover', (e) => {
      clearTimeout(this.timer);
      const el = this.owner(e.target);
      if (!el) { this.hide(); return; }
      this.timer = setTimeout(() => this.show(el), HOVER_MS);
    });
    // Keyboard focus only: after a click the pointer has already shown it, and it would linger.
    doc.addEventListener('focusin', (e) => { if (e.target.matches?.(':focus-visible')) this.show(e.target); });
    doc.addEventListener('mouseout', (e) => { if (!e.relatedTarget || !this.owner(e.relatedTarget)) this.hide(); });
    doc.addEventListener('focusout', () => this.hide());
    doc.addEventListener('keydown', (e) => { if (e.key === 'Escape') { this.hide(); this.close(); } });
    this.buildOverlay();
  }

  owner(el) {
    return el.closest ? el.closest('[data-help]') : null;
  }

  show(target) {
    const el = this.owner(target);
    if (!el) { this.hide(); return; }
    this.bubble.textContent = el.dataset.help;
    this.bubble.hidden = false;
    const r = el.getBoundingClientRect();
    const b = this.bubble.getBoundingClientRect();
    const x = Math.min(innerWidth - b.width - 4, Math.max(4, r.left));
    const below = r.bottom + 6 + b.height < innerHeight;
    const y = below ? r.bottom + 6 : Math.max(4, r.top - 6 - b.height);
    this.bubble.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
  }

  hide() {
    clearTimeout(this.timer);
    this.bubble.hidden = true;
  }

  /** The gradient measures' names and meanings (hello.diagnostics), listed in the overlay. */
  setMeasures(measures) {
    this.measures = measures || [];
    this.fillOverlay();
  }

  buildOverlay() {
    const d = this.doc;
    this.button = d.createElement('button');
    this.button.type = 'button';
    this.button.id = 'btn-help';
    this.button.className = 'cmd';
    this.button.textContent = '?';
    this.button.setAttribute('aria-label', 'What am I looking at?');
    describe(this.button, 'What am I looking at? A short guide to every panel (key: ?)');
    this.button.addEventListener('click', () => this.open());
    d.querySelector('.session').prepend(this.button);
    this.overlay = d.createElement('div');
    this.overlay.id = 'guide';
    this.overlay.setAttribute('role', 'dialog');
    this.overlay.setAttribute('aria-modal', 'true');
    this.overlay.setAttribute('aria-labelledby', 'guide-title');
    this.overlay.hidden = true;
    this.overlay.addEventListener('click', (e) => { if (e.target === this.overlay) this.close(); });
    d.body.appendChild(this.overlay);
    d.addEventListener('keydown', (e) => {
      const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName);
      if (e.key === '?' && !typing) { e.preventDefault(); this.overlay.hidden ? this.open() : this.close(); }
    });
    this.fillOverlay();
  }

  fillOverlay() {
    const d = this.doc;
    const box = d.createElement('div');
    box.className = 'guide-box';
    const head = d.createElement('div');
    head.className = 'guide-head';
    const title = d.createElement('h2');
    title.id = 'guide-title';
    title.textContent = 'What am I looking at?';
    const close = d.createElement('button');
    close.type = 'button';
    close.textContent = 'Close';
    close.addEventListener('click', () => this.close());
    head.append(title, close);
    box.appendChild(head);
    for (const [name, text] of GUIDE) box.appendChild(entry(d, name, text));
    if (this.measures.length) {
      const h = d.createElement('h3');
      h.textContent = 'Gradient measures';
      box.appendChild(h);
      const list = d.createElement('dl');
      for (const m of this.measures) {
        const dt = d.createElement('dt');
        dt.textContent = m.label;
        const dd = d.createElement('dd');
        dd.textContent = m.help;
        list.append(dt, dd);
      }
      box.appendChild(list);
    }
    const tip = d.createElement('p');
    tip.className = 'guide-tip';
    tip.textContent = 'Point at or tab to any control for a one-line explanation. Keys: space play/pause, → one step, r reset, ? this guide.';
    box.appendChild(tip);
    this.overlay.replaceChildren(box);
    this.closeButton = close;
  }

  open() {
    this.overlay.hidden = false;
    this.closeButton.focus();
  }

  close() {
    if (this.overlay.hidden) return;
    this.overlay.hidden = true;
    this.button.focus();
  }
}

function entry(d, name, text) {
  const section = d.createElement('section');
  const h = d.createElement('h3');
  h.textContent = name;
  const p = d.createElement('p');
  p.textContent = text;
  p.id = `guide-${++counter}`;
  section.append(h, p);
  return section;
}
