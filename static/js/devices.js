// The devices on this server (server/devices.py), at the foot of the presenter's "following"
// menu: for whoever sits at the server's own computer, each device's sessions and connections
// beside the per-device caps, and "end its sessions" for a device that took the class's places.
// Anyone else who asks is told by the server (in the banner) that only that computer may.

const plural = (n, one) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** "10.0.0.7 · 5 sessions · 6 connections" (the server's own computer says so). */
export function deviceLine(d) {
  const who = d.capped ? d.address : `${d.address} (this computer)`;
  return `${who} · ${plural(d.sessions, 'session')} · ${plural(d.connections, 'connection')}`;
}

/** "12 of 50 sessions in use; one device may hold 5." */
export function devicesSummary(m) {
  return `${m.sessions} of ${plural(m.max_sessions, 'session')} in use; one device may hold ${m.max_sessions_per_address}.`;
}

export class DevicesView {
  constructor(page, menu) {
    this.page = page;
    const root = page.root;
    const head = root.createElement('h3');
    head.className = 'room-head';
    head.textContent = 'Devices on this server';
    this.button = root.createElement('button');
    Object.assign(this.button, { type: 'button', id: 'devices-show', className: 'small' });
    this.button.textContent = 'Show devices';
    this.button.title = 'From the server’s own computer: which devices hold sessions, and end those of one that took the class’s places';
    this.button.addEventListener('click', () => this.page.send({ type: 'devices' }));
    this.note = root.createElement('p');
    this.note.className = 'room-sub';
    this.note.id = 'devices-note';
    this.list = root.createElement('ul');
    this.list.id = 'room-devices';
    menu.append(head, this.button, this.note, this.list);
  }

  receive(m) {
    const root = this.page.root;
    this.button.textContent = 'Refresh';
    this.note.textContent = devicesSummary(m);
    this.list.replaceChildren(...m.devices.map((d) => {
      const li = root.createElement('li');
      const text = root.createElement('span');
      text.textContent = deviceLine(d);
      li.append(text);
      if (d.capped && d.sessions > 0) {
        const end = root.createElement('button');
        Object.assign(end, { type: 'button', className: 'small devices-end' });
        end.textContent = 'End its sessions';
        end.title = `End the ${plural(d.sessions, 'session')} ${d.address} made: its pages are told, and the places are free at once`;
        end.dataset.address = d.address;
        end.addEventListener('click', () => this.page.send({ type: 'end_device', address: d.address }));
        li.append(end);
      }
      return li;
    }));
  }
}
