/**
 * Text in the service's XML: which characters travel base64-encoded, how the rest is escaped,
 * and what that costs in bytes, so that a Select page can stop at the 1 MB cap without
 * rendering its items twice. render.ts writes with these rules; a test holds the sizes to it.
 */

/** Characters XML 1.0 cannot carry: such names and values travel base64-encoded. */
export const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ESCAPED = /[&<>\r]/g;
/** The same class without the global flag: `test` then keeps no position between calls. */
const NEEDS_ESCAPE = /[&<>\r]/;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

/**
 * Text content. A carriage return is written as a character reference because XML parsers
 * fold a literal CR into LF, and values must come back byte for byte.
 */
export function escapeText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPED, (c) => ENTITY[c] ?? c) : s;
}

/** Bytes of `<tag>text</tag>` as dataElement (render.ts) writes it. */
export function dataElementBytes(tag: string, s: string): number {
  const bytes = Buffer.byteLength(s);
  if (NOT_XML.test(s)) return 2 * tag.length + 23 + 4 * Math.ceil(bytes / 3);
  let extra = 0;
  if (NEEDS_ESCAPE.test(s)) {
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      // &amp; and &#13; add four bytes, &lt; and &gt; three.
      if (c === 0x26 || c === 0x0d) extra += 4;
      else if (c === 0x3c || c === 0x3e) extra += 3;
    }
  }
  return 2 * tag.length + 5 + bytes + extra;
}

/** Bytes of one Select `<Item>` with its `<Attribute>`s. */
export function selectItemBytes(item: { name: string; attributes: readonly { name: string; value: string }[] }): number {
  let n = 13 + dataElementBytes('Name', item.name);
  for (const a of item.attributes) n += 23 + dataElementBytes('Name', a.name) + dataElementBytes('Value', a.value);
  return n;
}
