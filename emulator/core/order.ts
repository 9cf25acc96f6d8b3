/**
 * SimpleDB orders strings by UTF-8 bytes, which is code-point order; JavaScript's `<` compares
 * UTF-16 units, which disagrees once a string holds characters above U+FFFF. Surrogates are
 * shifted above U+E000–U+FFFF so that unit order becomes code-point order.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fix(x) - fix(y);
  }
  return a.length - b.length;
}

const fix = (u: number) => (u >= 0xe000 ? u - 0x800 : u >= 0xd800 ? u + 0x2000 : u);
