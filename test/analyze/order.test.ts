// A window's operations are put in order once (sync/analyze/ops.ts `inOrder`): an insertion sort
// for what arrives nearly in order, the library's sort for what does not. Either way the result
// must be what a stable sort by order gives: the operations of one order as they arrived.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inOrder } from '../../emulator/sync/analyze/ops.js';

const stable = <T extends { order: number }>(list: readonly T[]) => list.slice().sort((a, b) => a.order - b.order);
const arrivals = (orders: readonly number[]) => orders.map((order, arrived) => ({ order, arrived }));

describe('inOrder', () => {
  it('orders nearly ordered operations as a stable sort does, ties as they arrived', () => {
    const ops = arrivals([1, 3, 2, 5, 4, 4, 6, 6, 2, 7]);
    expect(inOrder(ops)).toEqual(stable(ops));
    expect(inOrder(ops).map((o) => o.arrived)).toEqual([0, 2, 8, 1, 4, 5, 3, 6, 7, 9]);
  });

  it('orders operations far out of order (past the insertion sort budget) as a stable sort does', () => {
    const ops = arrivals(Array.from({ length: 2_000 }, (_, i) => Math.floor((2_000 - i) / 3)));
    expect(inOrder(ops)).toEqual(stable(ops));
  });

  it('gives a stable sort by order for any list, and leaves its input as it was', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 200 }), (orders) => {
        const ops = arrivals(orders);
        const copy = ops.slice();
        expect(inOrder(ops)).toEqual(stable(ops));
        expect(ops).toEqual(copy);
      }),
      { numRuns: 300 },
    );
  });
});
