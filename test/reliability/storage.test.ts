// Storage proportional to the data: a domain of 1 kB values, written over HTTP as clients write
// it, takes at most three times its bytes (names and values, as the service counts them) in the
// database, in memory and in a file. Select still plans on the value index.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';

const ITEMS = 1000;
const ATTRS = 4;
const VALUE_BYTES = 1024;

async function call(emu: Emulator, params: Record<string, string>): Promise<string> {
  const res = await fetch(`${emu.url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Version: '2009-04-15', ...params }).toString(),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(text);
  return text;
}

/** ITEMS items of ATTRS values of VALUE_BYTES each, 25 items a batch; returns the bytes as the service counts them. */
async function fill(emu: Emulator): Promise<number> {
  await call(emu, { Action: 'CreateDomain', DomainName: 'big' });
  let bytes = 0;
  for (let first = 0; first < ITEMS; first += 25) {
    const params: Record<string, string> = { Action: 'BatchPutAttributes', DomainName: 'big' };
    for (let i = 0; i < 25; i++) {
      const item = `item${String(first + i).padStart(5, '0')}`;
      params[`Item.${i}.ItemName`] = item;
      for (let a = 0; a < ATTRS; a++) {
        const value = `${item}-${a}-`.padEnd(VALUE_BYTES, 'v');
        params[`Item.${i}.Attribute.${a}.Name`] = `attr${a}`;
        params[`Item.${i}.Attribute.${a}.Value`] = value;
        bytes += `attr${a}`.length + VALUE_BYTES;
      }
    }
    await call(emu, params);
  }
  return bytes;
}

function databaseBytes(emu: Emulator): number {
  const db = emu.store.db;
  return Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
}

describe('a domain of 1 kB values', () => {
  it.each(['memory', 'file'])('takes at most 3× its data in the %s database', async (kind) => {
    const dir = mkdtempSync(join(tmpdir(), 'simpledb-storage-'));
    try {
      await using emu = await startEmulator({ port: 0, db: kind === 'memory' ? ':memory:' : join(dir, 'store.db') });
      const data = await fill(emu);
      const metadata = await call(emu, { Action: 'DomainMetadata', DomainName: 'big' });
      expect(metadata).toContain(`<ItemCount>${ITEMS}</ItemCount>`);
      const stored = databaseBytes(emu);
      expect(stored / data).toBeLessThanOrEqual(3);
      // The indexed plan of an equality and a range on the values is unchanged.
      const plan = emu.store.db
        .prepare("EXPLAIN QUERY PLAN SELECT item_id FROM attrs WHERE domain_id = 1 AND name = 'attr1' AND value > 'item00500'")
        .all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING COVERING INDEX attrs_by_value/);
      const found = await call(emu, { Action: 'Select', SelectExpression: "select itemName() from big where attr1 > 'item00990' order by attr1" });
      expect(found.match(/<Name>item\d+<\/Name>/g)).toHaveLength(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
