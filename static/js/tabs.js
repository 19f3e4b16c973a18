// The gradient-health panel's tabs (WAI-ARIA tabs pattern): click, or arrow keys,
// Home and End on the tab list; the view state says which tab shows, and the tools
// row of that tab (data-tab) shows with it.

export class Tabs {
  constructor(page, list) {
    this.page = page;
    this.tabs = [...list.querySelectorAll('[role=tab]')];
    this.tabs.forEach((tab, i) => {
      tab.addEventListener('click', () => page.state.setView({ tab: tab.dataset.tab }));
      // Arrow keys move between tabs, and are not a training step.
      tab.addEventListener('keydown', (e) => {
        const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: this.tabs.length - 1 }[e.key];
        if (to === undefined) return;
        e.preventDefault();
        e.stopPropagation();
        const next = this.tabs[(to + this.tabs.length) % this.tabs.length];
        next.focus();
        page.state.setView({ tab: next.dataset.tab });
      });
    });
    page.state.on('view', (v) => this.show(v.tab));
  }

  show(name) {
    const { page } = this;
    for (const tab of this.tabs) {
      const on = tab.dataset.tab === name;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      page.$('#' + tab.getAttribute('aria-controls')).hidden = !on;
    }
    for (const tools of page.$$('.tab-tools')) tools.hidden = tools.dataset.tab !== name;
  }
}
