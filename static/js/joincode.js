// Session ids, which are also the join codes students type: 6 characters from an alphabet
// without look-alikes (no 0/O, 1/I/L), as server/ids.py makes them. Ids of the older
// form (8 characters of base64url) stay valid, so old links keep working. No DOM: tested
// under Node (tests/js/joincode.test.mjs).

export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const JOIN_CODE = new RegExp(`^[${CODE_ALPHABET}]{6}$`);
const OLD_ID = /^[A-Za-z0-9_-]{8}$/;

/** Whether a link's session could be one a server made; any other starts a new session. */
export function isSessionId(s) {
  return typeof s === 'string' && (JOIN_CODE.test(s) || OLD_ID.test(s));
}

/** A new session's id, drawn like the server's; `draw(n)` gives n random bytes. Bytes of
 * 248 and above are dropped, so each of the 31 characters is equally likely. */
export function newSessionId(draw = (n) => crypto.getRandomValues(new Uint8Array(n))) {
  let id = '';
  while (id.length < 6) {
    for (const b of draw(8)) if (b < 248 && id.length < 6) id += CODE_ALPHABET[b % CODE_ALPHABET.length];
  }
  return id;
}

/** The session id a student typed, or null: " k7m-q3p " is K7MQ3P (case, spaces and dashes
 * do not matter); an old-form id is taken as typed, since its case matters. */
export function normaliseCode(typed) {
  const raw = String(typed ?? '').trim();
  const code = raw.toUpperCase().replace(/[\s-]+/g, '');
  if (JOIN_CODE.test(code)) return code;
  return OLD_ID.test(raw) ? raw : null;
}

/** Why a typed code is refused, in words a student can act on. */
export function codeProblem(typed) {
  const code = String(typed ?? '').toUpperCase().replace(/[\s-]+/g, '');
  if (!code) return 'type the code shown on the presenter’s screen';
  const odd = [...new Set(code)].filter((c) => !CODE_ALPHABET.includes(c));
  if (odd.length) {
    const which = odd.length > 1 ? `${odd.join(', ')} are` : `${odd[0]} is`;
    return `${which} never in a join code (2–9 and A–Z without I, L, O): check the presenter’s screen`;
  }
  return `a join code has 6 characters (this has ${code.length})`;
}
