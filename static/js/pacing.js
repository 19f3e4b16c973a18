// The room's words and the students' screens, without the DOM (tested under Node): what
// the presenter's "following" button says, what a student's screen says about its
// presenter and its pacing, and which parts of the page each of the server's panel
// names (hello.panels) stands for. The server owns the list of names and validates them.

/** The page's parts behind each panel name the server offers. */
export const PANEL_PARTS = {
  controls: ['.controlbar', '.left', '#controls-playback', '#layer-header', '#layer-strip', '#controls-network'],
  network: ['#network'],
  output: ['#output'],
  loss: ['#loss'],
  gradients: ['#gradients'],
};

/** "12 following" on the presenter's button (its list holds the names). */
export function followingText(room) {
  const n = room?.watching ?? 0;
  return `${n} following`;
}

/** The names a presenter sees, the anonymous ones counted: ["Ada", "Ben", "and 3 without a name"]. */
export function followerLines(room) {
  if (!room || !room.watching) return ['nobody is following yet'];
  const lines = [...room.names];
  if (room.anonymous) lines.push(`${lines.length ? 'and ' : ''}${room.anonymous} without a name`);
  return lines;
}

/** The selectors a pacing hides on a watcher's screen (names the page does not know are skipped). */
export function hiddenParts(pacing) {
  return (pacing?.hide || []).flatMap((name) => PANEL_PARTS[name] || []);
}

/** A student's small line: the presenter's absence (which says it all), else what the presenter chose for the screen. */
export function watcherLine(presenter, pacing) {
  if (presenter && !presenter.connected) return presenter.message || 'the presenter has left';
  if (pacing?.hide?.length) return 'the presenter has hidden some panels';
  if (pacing?.present) return 'the presenter chose presentation mode';
  return '';
}

/** The join's name: trimmed, at most 40 characters (the server checks it too), or null. */
export function cleanName(text) {
  const name = String(text ?? '').trim().slice(0, 40);
  return name || null;
}
