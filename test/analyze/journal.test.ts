// What the journal records for the analysis: when each action took effect (`order`), which may
// differ from when it finished (`seq`), whether it was applied, and who sent it.
import { createHash } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { createDomain, get, ok, put, start } from '../support/sync.js';
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

it('records what each read returned: per attribute its values, long ones as a digest, Select items capped', async () => {
  emu = await start({ journalSize: 1000 });
  await createDomain(emu, 'dom');
  const long = 'x'.repeat(65);
  await ok(emu, 'PutAttributes', {
    DomainName: 'dom',
    ItemName: 'i',
    'Attribute.1.Name': 'tags',
    'Attribute.1.Value': 'a',
    'Attribute.2.Name': 'tags',
    'Attribute.2.Value': 'b',
    'Attribute.3.Name': 'note',
    'Attribute.3.Value': long,
  });
  for (let i = 0; i < 102; i++) await put(emu, 'dom', `row${i}`, { n: String(i) });
  await get(emu, 'dom', 'i', true);
  await get(emu, 'dom', 'absent', false);
  await ok(emu, 'Select', { SelectExpression: 'select n from `dom` where n is not null limit 150', ConsistentRead: 'true' });
  await ok(emu, 'Select', { SelectExpression: 'select count(*) from `dom`', ConsistentRead: 'true' });
  const [got, none] = emu.control.journal({ action: 'GetAttributes' });
  const digest = `sha256:${createHash('sha256').update(long).digest('hex').slice(0, 16)}/65`;
  expect(got?.read?.returned).toEqual({ items: [{ name: 'i', attributes: { tags: ['a', 'b'], note: [digest] } }] });
  expect(none?.read?.returned).toEqual({ items: [{ name: 'absent', attributes: {} }] });
  const [rows, counted] = emu.control.journal({ action: 'Select' });
  expect(rows?.read?.returned?.items).toHaveLength(100);
  expect(rows?.read?.returned?.items[0]).toEqual({ name: 'row0', attributes: { n: ['0'] } });
  expect(rows?.read?.returned?.more).toBe(2);
  expect(counted?.read?.returned).toEqual({ items: [], count: 103 });
});
