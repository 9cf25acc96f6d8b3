// A large batch's items are checked in slices (docs/performance.md, "One large request beside
// small ones"): the check looks at the clock inside an item, and gives the same items, or the same
// first error, as the check in one piece.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deletePair, putPair } from '../../emulator/actions/attributes.js';
import { batchItems, batchItemsInSlices, CHECK_STEP } from '../../emulator/actions/batch.js';
import { SdbError } from '../../emulator/core/errors.js';
import { Params, parseFormInSlices } from '../../emulator/core/params.js';
import { Slices } from '../../emulator/core/slices.js';

type Pair = [string, string];

function item(i: number, attributes: number, value = (a: number) => `v${a}`.padEnd(1000, 'v')): Pair[] {
  const out: Pair[] = [[`Item.${i}.ItemName`, `item${i}`]];
  for (let a = 0; a < attributes; a++) out.push([`Item.${i}.Attribute.${a}.Name`, `a${a}`], [`Item.${i}.Attribute.${a}.Value`, value(a)]);
  return out;
}

/** The outcome of a check: its items, or the first error's code and message. */
async function outcome(run: () => unknown): Promise<unknown> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof SdbError)) throw err;
    return { code: err.code, message: err.message };
  }
}

describe("a large batch's check in slices", () => {
  it('looks at the clock inside an item, so one item of 256 attributes is several slices', async () => {
    const params = new Params(item(0, 256));
    // Grouped ahead, so the turns counted below are the check's own looks.
    const ahead = new Slices();
    await params.indexInSlices('Item', ahead);
    for (const g of params.indexed('Item')) await g.params.indexInSlices('Attribute', ahead);
    // A slice with no time left yields at every look.
    let turns = 0;
    const items = await batchItemsInSlices(params, putPair, true, new Slices(0, () => void turns++));
    expect(items[0]?.pairs).toHaveLength(256);
    // A look every 32 attributes at most (CHECK_STEP); before, one look per item: a single turn.
    expect(turns).toBeGreaterThanOrEqual(256 / 32);
  });

  it('looks inside the items of a body parsed in slices as well', async () => {
    const pairs = [...item(0, 256), ...item(1, 256)];
    const body = Buffer.from(new URLSearchParams(pairs).toString());
    const parsed = await parseFormInSlices([body], new Slices());
    await parsed.params.indexInSlices('Item', new Slices());
    let turns = 0;
    const items = await batchItemsInSlices(parsed.params, putPair, true, new Slices(0, () => void turns++));
    expect(items.map((i) => i.pairs.length)).toEqual([256, 256]);
    expect(turns).toBeGreaterThanOrEqual((2 * 256) / 32);
  });

  it('gives the same items or the same first error as the check in one piece', async () => {
    // Items whose attributes may lack a name or value, be too long, or repeat an item's name,
    // wherever in the item (before, at or past a look at the clock).
    const attribute = fc.record({
      name: fc.constantFrom('a', '', undefined, 'n'.repeat(1025)),
      value: fc.constantFrom('v', '', undefined, 'v'.repeat(1025)),
      replace: fc.constantFrom(undefined, 'true', 'no'),
    });
    const items = fc.array(
      fc.record({ name: fc.constantFrom('x', 'y', ''), attributes: fc.array(attribute, { maxLength: 3 * CHECK_STEP }) }),
      { minLength: 0, maxLength: 4 },
    );
    await fc.assert(
      fc.asyncProperty(items, fc.boolean(), async (list, put) => {
        const pairs: Pair[] = [];
        list.forEach((it, i) => {
          pairs.push([`Item.${i}.ItemName`, it.name]);
          it.attributes.forEach((a, n) => {
            if (a.name !== undefined) pairs.push([`Item.${i}.Attribute.${n}.Name`, a.name]);
            if (a.value !== undefined) pairs.push([`Item.${i}.Attribute.${n}.Value`, a.value]);
            if (a.replace !== undefined) pairs.push([`Item.${i}.Attribute.${n}.Replace`, a.replace]);
          });
        });
        const pair = put ? putPair : deletePair;
        const whole = await outcome(() => batchItems(new Params(pairs), pair, put));
        const sliced = await outcome(() => batchItemsInSlices(new Params(pairs), pair, put, new Slices(0)));
        expect(sliced).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});
