import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectParams, parseForm, parseFormInSlices, type Params } from '../../emulator/core/params.js';
import { Slices } from '../../emulator/core/slices.js';
import { SdbError } from '../../emulator/core/errors.js';

// Form bodies that exercise every rule: separators, '+', stray and partial '%', percent-encoded
// UTF-8 (valid, truncated, overlong, surrogates), raw non-ASCII text and lone surrogates.
const piece = fc.oneof(
  fc.constantFrom('&', '=', '+', '%', '%2', '%41', '%2B', '%26', '%3D', '%C3%A9', '%C3', '%E2%82', '%F0%9F%98%80', '%C0%AF', '%ED%A0%80', '%zz', '%%', 'é', '😀', ' ', '\uD800', '\uDC00'),
  fc.string({ unit: fc.constantFrom('a', 'B', '0', '.', '-', '_', '~') , maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }).map((s) => encodeURIComponent(s)),
);
const form = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''));

describe('the form parser', () => {
  it('reads every body exactly as URLSearchParams does', () => {
    fc.assert(
      fc.property(form, (raw) => {
        expect(parseForm(raw)).toEqual([...new URLSearchParams(raw)]);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads a large body in slices exactly as in one piece, however the socket cut it', async () => {
    // Cut anywhere, in a UTF-8 sequence or a pair included; the pieces join past 256 KiB.
    const long = fc.string({ unit: fc.constantFrom('a', '&', '=', '%41', 'é'), minLength: 0, maxLength: 200 }).map((s) => s.repeat(1500));
    await fc.assert(
      fc.asyncProperty(fc.oneof(form, long), fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 20 }), async (raw, cuts) => {
        const bytes = Buffer.from(raw);
        const chunks: Buffer[] = [];
        for (let at = 0, k = 0; at < bytes.length; k++) {
          const size = cuts[k % cuts.length] as number;
          chunks.push(bytes.subarray(at, at + size));
          at += size;
        }
        const text = bytes.toString('utf8');
        const parsed = await parseFormInSlices(chunks, new Slices());
        expect(parsed.pairs).toEqual(parseForm(text));
        expect(parsed.text).toBe(text);
        const once = (() => {
          try {
            return collectParams('', text).entries;
          } catch (err) {
            return err;
          }
        })();
        const sliced = (() => {
          try {
            return collectParams('', parsed.text, parsed).entries;
          } catch (err) {
            return err;
          }
        })();
        expect(sliced).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });

  it('answers names and groups of a body read in slices as of the same body read in one piece', async () => {
    // The sliced body is held as ranges of its text (core/params.ts `Ranges`): its lookups and
    // groupings are its own code, checked here against Params over the pairs.
    const index = fc.constantFrom('0', '1', '01', '7', '12', '999999999', '1234567890', 'x', '', '1a');
    const rest = fc.constantFrom('ItemName', 'Replace', 'Attribute.0.Name', 'Attribute.0.Value', 'Attribute.03.Name', 'Attribute.3.Value', 'Attribute.x.Name', 'Attribute.', 'Attribute', '');
    const name = fc.oneof(
      fc.tuple(index, rest).map(([i, r]) => (r === '' ? `Item.${i}` : `Item.${i}.${r}`)),
      fc.constantFrom('Action', 'DomainName', 'Item', 'Item.', 'Items.1.ItemName', 'é'),
    );
    const value = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('a+b', '%C3%A9', '%zz', 'x'.repeat(300)));
    const body = fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n, maxLength: 60 });
    const view = (params: Params, depth: number): unknown => ({
      entries: params.entries,
      names: ['ItemName', 'Replace', 'Name', 'Value', 'Action', 'Item', 'absent'].map((n) => params.get(n)),
      groups: depth === 0 ? [] : ['Item', 'Attribute'].map((prefix) => params.indexed(prefix).map((g) => ({ index: g.index, key: g.key, params: view(g.params, depth - 1) }))),
    });
    await fc.assert(
      fc.asyncProperty(body, fc.integer({ min: 1, max: 200 }), async (pairs, cut) => {
        const bytes = Buffer.from(new URLSearchParams(pairs).toString());
        const chunks: Buffer[] = [];
        for (let at = 0; at < bytes.length; at += cut) chunks.push(bytes.subarray(at, at + cut));
        const parsed = await parseFormInSlices(chunks, new Slices());
        const sliced = collectParams('', parsed.text, parsed);
        const once = collectParams('', bytes.toString());
        await sliced.indexInSlices('Item', new Slices());
        expect(view(sliced, 2)).toEqual(view(once, 2));
      }),
      { numRuns: 500 },
    );
  });

  it('finds every name of a body of thousands of parameters read in slices, and refuses the first repeat', async () => {
    const pairs = Array.from({ length: 5000 }, (_, i) => [`Item.${i % 25}.Attribute.${i}.Name`, `v${i}`] as [string, string]);
    const text = new URLSearchParams(pairs).toString();
    const parsed = await parseFormInSlices([Buffer.from(text)], new Slices());
    const params = collectParams('', parsed.text, parsed);
    for (const [n, v] of pairs) expect(params.get(n)).toBe(v);
    expect(params.get('Item.0.Attribute.1.Name')).toBeUndefined();
    const repeated = await parseFormInSlices([Buffer.from(`${text}&Item.3.Attribute.3.Name=again&Item.4.Attribute.4.Name=too`)], new Slices());
    expect(repeated.repeated).toEqual(['Item.3.Attribute.3.Name', 'again']);
  });

  it('reads what SDKs send', () => {
    const raw =
      'Action=PutAttributes&Attribute.1.Name=a+b&Attribute.1.Value=%C3%A9t%C3%A9&Timestamp=2026-12-04T20%3A00%3A00Z&Signature=ab%2Bcd%2F%3D&Empty=&Bare&&';
    expect(parseForm(raw)).toEqual([...new URLSearchParams(raw)]);
    expect(parseForm(raw)).toContainEqual(['Attribute.1.Value', 'été']);
  });

  it('refuses a name repeated within the query or within the body, however many parameters there are', () => {
    for (const n of [2, 8, 9, 40]) {
      const names = Array.from({ length: n }, (_, i) => `P${i}=v`);
      const repeated = [...names, `P${n - 1}=again`].join('&');
      expect(() => collectParams(repeated, null)).toThrow(SdbError);
      expect(() => collectParams('', repeated)).toThrow(SdbError);
      expect(collectParams(names.join('&'), null).entries).toHaveLength(n);
    }
  });
});

describe('a large body parsed in slices', () => {
  it('looks at the clock every few pairs, so a slice of 1,000-byte values cannot run long', async () => {
    // A slice with no time left yields at every look: the turns counted are the looks.
    const pairs = Array.from({ length: 400 }, (_, i) => `Item.${i}.Value=${'v'.repeat(1000)}`);
    const body = Buffer.from(pairs.join('&'));
    let turns = 0;
    const parsed = await parseFormInSlices([body], new Slices(0, () => void turns++));
    expect(parsed.params.entries).toHaveLength(400);
    // Before, one look every 128 pairs: 3 turns for these 400.
    expect(turns).toBeGreaterThanOrEqual(400 / 8);
  });
});
