// A binary message built by hand exactly as docs/protocol.md describes it, for the
// decoder's tests: uint32 little-endian header length H, the UTF-8 JSON header
// padded with spaces so 4 + H is a multiple of 4, then little-endian float32 arrays.

/** arrays: [[name, shape, values]]; pad: false leaves the header unpadded (misaligned payload). */
export function encodeMessage(header, arrays, { pad = true } = {}) {
  const table = [];
  let offset = 0;
  for (const [name, shape, values] of arrays) {
    table.push({ name, shape, offset });
    offset += 4 * values.length;
  }
  let json = new TextEncoder().encode(JSON.stringify({ ...header, arrays: table }));
  if (pad) {
    const spaces = (4 - ((4 + json.length) % 4)) % 4;
    json = new TextEncoder().encode(JSON.stringify({ ...header, arrays: table }) + ' '.repeat(spaces));
  }
  const buffer = new ArrayBuffer(4 + json.length + offset);
  const view = new DataView(buffer);
  view.setUint32(0, json.length, true);
  new Uint8Array(buffer, 4, json.length).set(json);
  let at = 4 + json.length;
  for (const [, , values] of arrays) {
    for (const v of values) { view.setFloat32(at, v, true); at += 4; }
  }
  return buffer;
}

/** 0, 1, 2, … as a plain list, n long, plus `start`. */
export const range = (n, start = 0) => Array.from({ length: n }, (_, i) => start + i);
