/**
 * Paging stability: while other items are added, deleted or changed between pages, every item
 * left untouched is returned exactly once, in order, whatever strategy serves the pages.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Fixture } from './support.js';

const ORDERS = [
  '',
  ' order by itemName()',
  ' order by itemName() desc',
  ' order by k',
  ' order by k desc',
];
const STRATEGIES = [{}, { tuning: { candidateCap: 0, firstChunk: 1, maxChunk: 4 } }, { tuning: { candidateCap: 0, firstChunk: 64, maxChunk: 64 } }];

const keyOf = (n: number) => String(n % 37).padStart(2, '0');

describe('paging stability under concurrent changes', () => {
  test.each(ORDERS.flatMap((o) => STRATEGIES.map((s, k) => [o, k, s] as const)))(
    'order %j, strategy %i',
    (order, _k, strategy) => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ op: fc.constantFrom('add', 'delete', 'rekey', 'addValue'), n: fc.nat(400) }), { maxLength: 60 }),
          fc.integer({ min: 1, max: 9 }),
          fc.boolean(),
          (changes, limit, multi) => {
            const base = new Fixture();
            const f = base.view(strategy);
            try {
              const data: Record<string, { k: string[]; m: string[] }> = {};
              for (let n = 0; n < 120; n += 1) {
                data[`item${String(n).padStart(3, '0')}`] = { k: multi && n % 5 === 0 ? [keyOf(n), keyOf(n + 11)] : [keyOf(n)], m: ['y'] };
              }
              f.put(data);
              const touched = new Set<string>();
              const seen: string[] = [];
              const expr = `select itemName() from d where m = 'y' and k >= '00'${order} limit ${limit}`;
              let token: string | undefined;
              let step = 0;
              do {
                const page = f.select(expr, token);
                seen.push(...page.items.map((i) => i.name));
                token = page.nextToken;
                // Between pages, someone else writes.
                for (const c of changes.slice(step * 3, step * 3 + 3)) {
                  const name = `item${String(c.n).padStart(3, '0')}`;
                  touched.add(name);
                  if (c.op === 'delete') f.store.deleteAttributes(f.domainId, name);
                  else if (c.op === 'rekey') f.store.putAttributes(f.domainId, name, [{ name: 'k', value: keyOf(c.n * 7 + step), replace: true }, { name: 'm', value: 'y', replace: false }]);
                  else if (c.op === 'addValue') f.store.putAttributes(f.domainId, name, [{ name: 'k', value: keyOf(c.n + step), replace: false }]);
                  else f.store.putAttributes(f.domainId, name, [{ name: 'k', value: keyOf(c.n), replace: false }, { name: 'm', value: 'y', replace: false }]);
                }
                step++;
              } while (token !== undefined);
              const untouched = Object.keys(data).filter((n) => !touched.has(n));
              for (const name of untouched) expect(seen.filter((s) => s === name), name).toHaveLength(1);
              // Untouched items keep their relative order.
              const orderOfUntouched = seen.filter((s) => !touched.has(s));
              const fresh = f.all(expr.replace(/ limit \d+$/, ' limit 2500')).map((i) => i.name).filter((s) => !touched.has(s));
              expect(orderOfUntouched).toEqual(fresh);
            } finally {
              base.close();
            }
          },
        ),
        { numRuns: 25 },
      );
    },
  );
});
