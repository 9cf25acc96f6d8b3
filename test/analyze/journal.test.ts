// What the journal records for the analysis: when each action took effect (`order`), which may
// differ from when it finished (`seq`), whether it was applied, and who sent it.
import { afterEach, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { createDomain, get, put, start } from '../support/sync.js';
import { as } from './support.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

it('a write whose answer waits finishes after a later read, but took effect before it', async () => {
  emu = await start();
  await createDomain(emu, 'dom');
  emu.control.faults.add({ action: 'PutAttributes', delayMs: 300, phase: 'after', count: 1 });
  const slow = put(emu, 'dom', 'i', { v: '1' }, {}, 'writer');
  // Bounded wait for the write to be visible (it is applied before the delay).
  let seen: string[] | undefined;
  for (let i = 0; i < 200 && seen === undefined; i++) seen = (await get(emu, 'dom', 'i', true, 'reader')).v;
  expect(seen).toEqual(['1']);
  await slow;
  const journal = emu.control.journal({ domain: 'dom' });
  const write = journal.find((e) => e.action === 'PutAttributes');
  const read = journal.filter((e) => e.action === 'GetAttributes').at(-1);
  expect(write && read && write.seq > read.seq && write.order < read.order).toBe(true);
  expect(write?.applied).toBe(true);
});

it('names the client by its header, numbers connections, and applied is false for a refused write', async () => {
  emu = await start();
  await createDomain(emu, 'dom');
  const named = as(emu, 'worker-7');
  expect(await named.put('dom', 'i', { v: '1' }, { name: 'v', value: 'nope' })).toBe(404);
  const [entry] = emu.control.journal({ action: 'PutAttributes' });
  expect(entry).toMatchObject({ client: 'worker-7', applied: false, code: 'AttributeDoesNotExist' });
  expect(entry?.connection).toBeGreaterThan(0);
});

it('with the journal off, nothing is recorded', async () => {
  emu = await start({ journalSize: 0 });
  await createDomain(emu, 'dom');
  expect(emu.control.journal()).toEqual([]);
  expect(emu.control.analyze().requests).toBe(0);
});
