import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectItemXml } from '../../emulator/http/render.js';
import { selectItemBytes } from '../../emulator/core/xmlText.js';

// Text that exercises every rule: escapes, CR, characters that force base64, astral and lone surrogates.
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', '&', '<', '>', '\r', '\n', '\t', '"', 'é', '😀', '\u0000', '\u0008', '\uFFFE', '\uD800') }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const pair = fc.record({ name: text, value: text });

describe('the Select page size cap', () => {
  it('measures an item exactly as many bytes as render writes for it', () => {
    fc.assert(
      fc.property(text, fc.array(pair, { maxLength: 5 }), (name, attributes) => {
        const item = { name, attributes };
        expect(selectItemBytes(item)).toBe(Buffer.byteLength(selectItemXml(item)));
      }),
      { numRuns: 2000 },
    );
  });
});
