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

// --- Lock, release, bring everyone back, try it myself (server/release.py; release.js) ---

/** The messages that move this page between the class's session and a copy of its own. */
export const moves = {
  release: () => ({ type: 'release' }),
  gather: () => ({ type: 'gather' }),
  try: () => ({ type: 'try' }),
  follow: () => ({ type: 'follow' }),
  reopen: (session, token) => ({ type: 'reopen', session, token }),
};

/**
 * Which of the release buttons this page shows, from its hello and the class's state:
 * the presenter's one button (release or bring back), a student's "Try it myself" (following),
 * "My run" (following, with a copy kept), "Back to following" (on a copy).
 */
export function releaseButtons({ role, fork, released, kept }) {
  if (fork) return { follow: true };
  if (role === 'controller') return { release: released ? 'gather' : 'release' };
  if (role === 'viewer') return { try: true, reopen: !!kept };
  return {};
}

/** The line a page on a copy, or a student following a released class, reads ('' for none). */
export function classLine({ role, fork, released }) {
  if (fork?.released) return 'released: this is your own copy';
  if (fork) return 'this is your own copy';
  if (role === 'viewer' && released) return 'the class is released: “Try it myself” for your own copy';
  return '';
}

/** What a move just did, in words (the banner's short notice), or '' when it was no move. */
export function moveNotice(before, hello) {
  if (!before) return '';
  if (hello.fork && hello.fork.of === before.session) {
    return hello.fork.released
      ? `The presenter released the class: you control your own copy, at step ${hello.state?.step ?? 0}`
      : `Your own copy, at step ${hello.state?.step ?? 0}: “Back to following” returns to the class`;
  }
  if (before.fork && before.fork.of === hello.session && hello.role === 'viewer') {
    return 'Following the presenter again; your run is kept: “My run” reopens it';
  }
  return '';
}

/** The presenter's notice when the class's state changes (`released`). */
export function releasedNotice({ released, students }) {
  const who = students === 1 ? '1 student' : `${students} students`;
  return released ? `${who} now explore their own copies` : `${who} back, following you`;
}
