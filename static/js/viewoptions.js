// How the panels show what they draw, kept in the view state: what the diagram's
// links show (W, dW, ΔW), the loss axis (linear or log), test points on or off, and
// which distribution (W, dW, a). Widgets take them through their own setters.

export class ViewOptions {
  constructor(page) {
    this.page = page;
    const { state } = page;
    const linkMode = page.$('#link-mode');
    const lossScale = page.$('#loss-scale');
    linkMode.addEventListener('change', () => state.setView({ linkMode: linkMode.value }));
    lossScale.addEventListener('click', () => state.setView({ lossScale: state.view.lossScale === 'log' ? 'linear' : 'log' }));
    page.$('#show-test').addEventListener('change', (e) => state.setView({ showTest: e.target.checked }));
    this.kinds = [...page.$$('.tab-tools [data-kind]')];
    for (const b of this.kinds) b.addEventListener('click', () => state.setView({ distKind: b.dataset.kind }));
    state.on('view', (v) => {
      for (const { widget: w } of page.widgets) {
        w.setMode?.(v.linkMode);
        w.setScale?.(v.lossScale);
        w.setShowTest?.(v.showTest);
        w.setKind?.(v.distKind);
      }
      for (const b of this.kinds) b.setAttribute('aria-pressed', String(b.dataset.kind === v.distKind));
      lossScale.textContent = v.lossScale === 'log' ? 'scale: log' : 'scale: linear';
      lossScale.dataset.scale = v.lossScale;
      lossScale.setAttribute('aria-pressed', String(v.lossScale === 'log'));
    });
  }
}
