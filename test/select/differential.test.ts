/**
 * Differential property test: random multi-valued data and random queries (generated ASTs
 * printed with random keyword case, quoting and spacing) are answered by the emulator and by
 * the reference model in reference.ts; results must agree item for item, in order, across every
 * page of a NextToken walk, under each execution strategy.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { Fixture, type Data } from './support.js';
import { CEILING_MS, progress } from '../support/progress.js';
import { selectAll } from './http.js';
import {
  countComparisons,
  dataArb,
  evaluate,
  exprArb,
  printQuery,
  sortable,
  styleFrom,
  type Node,
  type Query,
} from './reference.js';

const whereArb = fc.option(exprArb.filter((e) => countComparisons(e) <= 20), { nil: null, freq: 8 });

const caseArb = fc
  .record({
    single: fc.boolean(),
    where: whereArb,
    orderPick: fc.nat(20),
    desc: fc.boolean(),
    limit: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null, freq: 6 }),
    seed: fc.integer(),
  })
  .chain((c) => dataArb(c.single).map((data) => ({ ...c, data })));

function orderFor(where: Node | null, pick: number, desc: boolean): Query['order'] {
  const keys = [...new Set(sortable(where))];
  if (pick < 5) return null;
  if (pick < 9 || keys.length === 0) return { key: null, desc };
  return { key: keys[pick % keys.length]!, desc };
}

/** Strategies: as shipped; always walking in chunks of 1–3; always enumerating candidates. */
const VIEWS = [
  {},
  { tuning: { candidateCap: 0, firstChunk: 1, maxChunk: 3 } },
  { tuning: { candidateCap: 10_000, firstChunk: 2, maxChunk: 8 } },
];

function load(data: Data): Fixture[] {
  const base = new Fixture().put(data);
  return VIEWS.map((v) => base.view(v));
}

describe('differential: emulator vs reference model', () => {
  // Synchronous and bounded by numRuns: nothing can stall, so the only limit is the ceiling (at
  // load 12 or more these take several times their quiet-machine seconds).
  test('select pages, in order, under every strategy', { timeout: CEILING_MS }, () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const q: Query = { output: 'itemName()', where: c.where, order: orderFor(c.where, c.orderPick, c.desc), limit: c.limit };
        const expected = evaluate(q, c.data);
        const text = printQuery(q, 'd', styleFrom(c.seed));
        const views = load(c.data);
        try {
          for (const f of views) {
            let token: string | undefined;
            const got: string[] = [];
            do {
              const page = f.select(text, token);
              expect(page.items.length).toBeLessThanOrEqual(c.limit ?? 100);
              got.push(...page.items.map((i) => i.name));
              token = page.nextToken;
            } while (token !== undefined);
            expect(got, `${text}\n${JSON.stringify(c.data)}`).toEqual(expected);
          }
        } finally {
          views[0]!.close();
        }
      }),
      { numRuns: 1200 },
    );
  });

  test('count(*) pages add up to the number of matches, and its tokens resume a select', { timeout: CEILING_MS }, () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const order = orderFor(c.where, c.orderPick, c.desc);
        const q: Query = { output: 'count(*)', where: c.where, order, limit: c.limit };
        const expected = evaluate(q, c.data);
        const views = load(c.data);
        try {
          for (const f of views) {
            let token: string | undefined;
            let total = 0;
            let pages = 0;
            do {
              const page = f.select(printQuery(q, 'd', styleFrom(c.seed)), token);
              expect(page.items).toHaveLength(1);
              expect(page.items[0]!.name).toBe('Domain');
              const n = Number(page.items[0]!.attrs[0]![1]);
              expect(n).toBeLessThanOrEqual(c.limit ?? Infinity);
              total += n;
              token = page.nextToken;
              pages++;
            } while (token !== undefined && pages < 100);
            expect(total, `${printQuery(q, 'd')}\n${JSON.stringify(c.data)}`).toBe(expected.length);
            if (c.limit !== null && expected.length > c.limit) {
              // count with limit n, then select from its token: the items after the n-th.
              const first = f.select(printQuery(q, 'd'));
              const rest = f.select(printQuery({ ...q, output: 'itemName()', limit: null }, 'd'), first.nextToken);
              expect(rest.items.map((i) => i.name)).toEqual(expected.slice(c.limit, c.limit + 100));
            }
          }
        } finally {
          views[0]!.close();
        }
      }),
      { numRuns: 500 },
    );
  });

  test('`select *` and explicit lists return exactly the stored pairs', { timeout: CEILING_MS }, () => {
    fc.assert(
      fc.property(caseArb, fc.subarray(['a', 'b', 'x-y', 'zz']), (c, wanted) => {
        const f = new Fixture().put(c.data);
        try {
          const star = f.all(printQuery({ output: '*', where: c.where, order: null, limit: c.limit }, 'd', styleFrom(c.seed)));
          for (const item of star) {
            const stored = Object.entries(c.data[item.name]!).flatMap(([n, vs]) => vs.map((v): [string, string] => [n, v]));
            expect(new Set(item.attrs.map((p) => JSON.stringify(p)))).toEqual(new Set(stored.map((p) => JSON.stringify(p))));
            expect(item.attrs).toHaveLength(stored.length);
          }
          if (wanted.length === 0) return;
          const some = f.all(printQuery({ output: wanted, where: c.where, order: null, limit: c.limit }, 'd', styleFrom(c.seed)));
          expect(some.map((i) => i.name)).toEqual(star.map((i) => i.name));
          for (const item of some) expect(item.attrs.every(([n]) => wanted.includes(n))).toBe(true);
        } finally {
          f.close();
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('differential over HTTP', () => {
  let emu: Emulator;
  afterAll(async () => {
    await emu?.close();
  });

  // 200 runs take seconds on a quiet machine and much longer on a loaded one: the budget is
  // progress (a run finishing at least once a minute), not a fixed time.
  test('the wire gives the same pages as the model', { timeout: CEILING_MS }, async () => {
    emu = await startEmulator({ port: 0 });
    const domainId = () => emu.store.domainId('', 'h')!;
    const runs = progress('differential over HTTP (runs)');
    await runs.watch(fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        emu.reset();
        emu.store.createDomain('', 'h', 0);
        const id = domainId();
        emu.store.transaction(() => {
          for (const [item, attrs] of Object.entries(c.data)) {
            emu.store.putAttributes(id, item, Object.entries(attrs).flatMap(([name, vs]) => vs.map((value) => ({ name, value, replace: false }))));
          }
        });
        const q: Query = { output: 'itemName()', where: c.where, order: orderFor(c.where, c.orderPick, c.desc), limit: c.limit };
        const got = await selectAll(emu, printQuery(q, 'h', styleFrom(c.seed)));
        expect(got.map((i) => i.name)).toEqual(evaluate(q, c.data));
        runs.tick();
      }),
      { numRuns: 200 },
    ));
  });
});
