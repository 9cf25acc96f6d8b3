// A large BatchPutAttributes applies in slices with other requests served between them
// (docs/performance.md, "One large request beside small ones"): what runs meanwhile never sees
// part of it, what conflicts with it waits and lands after it, and a batch that fails or is
// stopped mid-way leaves nothing. The emulator's `sliceHooks` hold the batch between two slices
// with its transaction open, and tell when a request begins to wait for it: nothing sleeps.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator, EmulatorOptions } from '../../emulator/index.js';
import { Store } from '../../emulator/store/store.js';
import { call, children, emulator, errorOf, FORM, getPairs, LARGE_BATCH, largeBatch, metadata, ok, resultOf, text, type HttpResult } from '../support/protocol.js';

const DOMAIN = 'big';
const { items: ITEMS, attributes: ATTRS } = LARGE_BATCH;

/** 25 items × 256 attributes: 12,800 parameters, tens of milliseconds of work, so many slices. */
const batch = (prefix: string) => largeBatch(DOMAIN, prefix, (i, a) => `value of ${prefix}${i} a${a}`.padEnd(60, '.'));

/**
 * Holds the next large write at its first slice boundary inside its open transaction, and counts
 * the requests that begin to wait for it.
 */
class Holder {
  emu: Emulator | undefined;
  private armed = false;
  private releaseFn: (() => void) | undefined;
  private heldFn: (() => void) | undefined;
  private waitingCount = 0;
  private waitingFor: { n: number; resolve: () => void }[] = [];

  private armedAfter = false;
  private sawWriting = false;

  readonly hooks: NonNullable<EmulatorOptions['sliceHooks']> = {
    slice: () => {
      const writing = this.emu?.store.writingInSlices === true;
      if (writing) this.sawWriting = true;
      if (this.armedAfter && this.sawWriting && !writing) {
        this.armedAfter = false;
        this.heldFn?.();
        return new Promise<void>((resolve) => (this.releaseFn = resolve));
      }
      if (!this.armed || !writing) return undefined;
      this.armed = false;
      this.heldFn?.();
      return new Promise<void>((resolve) => (this.releaseFn = resolve));
    },
    waiting: () => {
      this.waitingCount++;
      for (const w of this.waitingFor.filter((x) => x.n <= this.waitingCount)) w.resolve();
      this.waitingFor = this.waitingFor.filter((x) => x.n > this.waitingCount);
    },
  };

  /** Resolves once the next large write is held mid-transaction. */
  arm(): Promise<void> {
    this.armed = true;
    return new Promise((resolve) => (this.heldFn = resolve));
  }

  /** Resolves once the next large write is held after its commit, before its answer. */
  armAfterCommit(): Promise<void> {
    this.armedAfter = true;
    this.sawWriting = false;
    return new Promise((resolve) => (this.heldFn = resolve));
  }

  release(): void {
    this.releaseFn?.();
    this.releaseFn = undefined;
  }

  /** Resolves once `n` more requests have begun to wait. */
  waiting(n: number): Promise<void> {
    const target = this.waitingCount + n;
    return new Promise((resolve) => {
      if (this.waitingCount >= target) resolve();
      else this.waitingFor.push({ n: target, resolve });
    });
  }
}

let emu: Emulator | undefined;
let holder: Holder;
afterEach(async () => {
  holder?.release();
  await emu?.close();
  emu = undefined;
});

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  holder = new Holder();
  emu = await emulator({ ...options, sliceHooks: holder.hooks });
  holder.emu = emu;
  await ok(emu, { Action: 'CreateDomain', DomainName: DOMAIN });
  await ok(emu, { Action: 'PutAttributes', DomainName: DOMAIN, ItemName: 'other', 'Attribute.1.Name': 'x', 'Attribute.1.Value': '1' });
  return emu;
}

/** A request's promise and whether it has settled yet. */
function track(p: Promise<HttpResult>): { promise: Promise<HttpResult>; settled: () => boolean } {
  let done = false;
  const promise = p.finally(() => (done = true));
  return { promise, settled: () => done };
}

function selectCount(e: Emulator, consistent: boolean): Promise<HttpResult> {
  return call(e, {
    Action: 'Select',
    SelectExpression: `select count(*) from ${DOMAIN} where itemName() like 'b-%'`,
    ConsistentRead: String(consistent),
  });
}

function countOf(res: HttpResult): string {
  const item = children(resultOf(res, 'Select'), 'Item')[0];
  const attr = children(item, 'Attribute')[0];
  return text(attr?.['Value']);
}

function getItem(e: Emulator, item: string, consistent: boolean): Promise<HttpResult> {
  return call(e, { Action: 'GetAttributes', DomainName: DOMAIN, ItemName: item, ConsistentRead: String(consistent) });
}

function attributeCount(res: HttpResult): number {
  return children(resultOf(res, 'GetAttributes'), 'Attribute').length;
}

describe('a large batch applied in slices', () => {
  it('answers a GetAttributes of another item while the batch is still in progress', async () => {
    const e = await start();
    const held = holder.arm();
    const put = track(call(e, batch('b-')));
    await held;
    expect(await getPairs(e, DOMAIN, 'other')).toEqual([['x', '1']]);
    expect(put.settled()).toBe(false);
    holder.release();
    expect((await put.promise).status).toBe(200);
    expect(await getPairs(e, DOMAIN, 'b-24')).toHaveLength(ATTRS);
  });

  it('answers a read that waited for it before its own answer, a turn after its commit', async () => {
    const e = await start();
    const held = holder.arm();
    const put = track(call(e, batch('b-')));
    await held;
    const read = getItem(e, 'b-0', true);
    await holder.waiting(1);
    const after = holder.armAfterCommit();
    holder.release();
    await Promise.race([after, put.promise]);
    // Committed and its answer not yet written: the read has the whole item.
    expect(put.settled()).toBe(false);
    expect(attributeCount(await read)).toBe(ATTRS);
    holder.release();
    expect((await put.promise).status).toBe(200);
  });

  for (const mode of ['consistent', 'eventual'] as const) {
    it(`never shows part of the batch to reads of its items or domain (${mode} reads)`, async () => {
      // eventual with no staleness: reads without ConsistentRead go through the version log.
      const e = await start({ consistency: mode, maxStalenessMs: 0 });
      const held = holder.arm();
      const put = track(call(e, batch('b-')));
      await held;
      // Item b-0 has rows in the open transaction already.
      const reads = [true, false].flatMap((consistent) => [
        getItem(e, 'b-0', consistent),
        getItem(e, 'b-24', consistent),
        selectCount(e, consistent),
      ]);
      const meta = call(e, { Action: 'DomainMetadata', DomainName: DOMAIN });
      await holder.waiting(reads.length + 1);
      expect(put.settled()).toBe(false);
      holder.release();
      expect((await put.promise).status).toBe(200);
      const [get0, get24, count, get0e, get24e, counte] = await Promise.all(reads);
      for (const res of [get0, get24, get0e, get24e]) expect(attributeCount(res as HttpResult)).toBe(ATTRS);
      for (const res of [count, counte]) expect(countOf(res as HttpResult)).toBe(String(ITEMS));
      expect(resultOf(await meta, 'DomainMetadata')).toBeDefined();
      expect((await metadata(e, DOMAIN)).ItemCount).toBe(String(ITEMS + 1));
    });
  }

  it('records the batch as one write, and reads served during it as before it', async () => {
    const e = await start({ consistency: 'eventual', maxStalenessMs: 0 });
    const held = holder.arm();
    const put = track(call(e, batch('b-')));
    await held;
    await getItem(e, 'other', false);
    holder.release();
    await put.promise;
    const journal = e.control.journal();
    const write = journal.find((j) => j.action === 'BatchPutAttributes');
    const read = journal.find((j) => j.action === 'GetAttributes');
    expect(write?.writeSeq).toBeDefined();
    expect(read?.read?.asOfSeq).toBeLessThan(write?.writeSeq as number);
    expect(read?.read?.latestSeq).toBeLessThan(write?.writeSeq as number);
    // The next write follows it by one: the batch took one sequence number.
    await ok(e, { Action: 'PutAttributes', DomainName: DOMAIN, ItemName: 'after', 'Attribute.1.Name': 'y', 'Attribute.1.Value': '2' });
    const next = e.control.journal().find((j) => j.action === 'PutAttributes' && j.items[0] === 'after');
    expect(next?.writeSeq).toBe((write?.writeSeq as number) + 1);
  });

  it('makes a conflicting write wait and land after it, as if one ran after the other', async () => {
    const e = await start();
    const held = holder.arm();
    const put = track(call(e, batch('b-')));
    await held;
    // Replace a0 of b-0: after the batch, b-0 keeps only this value; before it, both would stay.
    const replace = track(
      call(e, {
        Action: 'PutAttributes',
        DomainName: DOMAIN,
        ItemName: 'b-0',
        'Attribute.1.Name': 'a0',
        'Attribute.1.Value': 'replaced',
        'Attribute.1.Replace': 'true',
      }),
    );
    await holder.waiting(1);
    expect(replace.settled()).toBe(false);
    holder.release();
    expect((await put.promise).status).toBe(200);
    expect((await replace.promise).status).toBe(200);
    const pairs = await getPairs(e, DOMAIN, 'b-0');
    expect(pairs.filter(([name]) => name === 'a0')).toEqual([['a0', 'replaced']]);
    expect(pairs).toHaveLength(ATTRS);
  });

  it('makes control requests wait for it too', async () => {
    const e = await start();
    const held = holder.arm();
    const put = track(call(e, batch('b-')));
    await held;
    const reset = fetch(`${e.url}/_simpledb/reset`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    await holder.waiting(1);
    holder.release();
    expect((await put.promise).status).toBe(200);
    expect((await reset).status).toBe(200);
    const list = await ok(e, { Action: 'ListDomains' });
    expect(list.text).not.toContain(DOMAIN);
  });

  it('leaves nothing of a batch that breaches a limit after all its items were applied', async () => {
    const e = await start({ limits: { maxDomainPairs: ITEMS * ATTRS } });
    const held = holder.arm();
    const put = track(call(e, batch('b-')));
    await held;
    const other = await getItem(e, 'other', true);
    expect(attributeCount(other)).toBe(1);
    holder.release();
    const res = await put.promise;
    expect(errorOf(res).code).toBe('NumberDomainAttributesExceeded');
    expect(await getPairs(e, DOMAIN, 'b-0')).toEqual([]);
    expect((await metadata(e, DOMAIN)).ItemCount).toBe('1');
    // The store is usable afterwards: the next write takes no part of the rolled-back one.
    await ok(e, { Action: 'PutAttributes', DomainName: DOMAIN, ItemName: 'b-0', 'Attribute.1.Name': 'n', 'Attribute.1.Value': 'v' });
    expect(await getPairs(e, DOMAIN, 'b-0')).toEqual([['n', 'v']]);
  });

  it('rolls back a batch in progress when the emulator stops, leaving the file without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdb-large-'));
    const file = join(dir, 'store.db');
    try {
      const e = await start({ db: file });
      const held = holder.arm();
      // The client is answered or cut off; either way the batch is not in the file.
      const put = call(e, batch('b-')).catch(() => undefined);
      await held;
      const closed = e.close();
      holder.release();
      await closed;
      emu = undefined;
      await put;
      const store = new Store(file);
      try {
        const id = store.domainId('', DOMAIN) as number;
        expect(store.getAttributes(id, 'b-0')).toEqual([]);
        expect(store.getAttributes(id, 'other')).toEqual([{ name: 'x', value: '1' }]);
        expect(store.totals(id).pairCount).toBe(1);
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finishes a batch whose client went away mid-way, and leaves no transaction open', async () => {
    const e = await start();
    const held = holder.arm();
    const body = new URLSearchParams(batch('b-')).toString();
    const req = request({ host: e.host, port: e.port, method: 'POST', path: '/', headers: { 'content-type': FORM } });
    const gone = new Promise<void>((resolve) => req.on('error', () => resolve()).on('close', () => resolve()));
    req.end(body);
    await held;
    req.destroy();
    await gone;
    holder.release();
    // A write waits for the batch to end; were its transaction left open, this one would fail.
    await ok(e, { Action: 'PutAttributes', DomainName: DOMAIN, ItemName: 'after', 'Attribute.1.Name': 'y', 'Attribute.1.Value': '2' });
    expect(e.store.writingInSlices).toBe(false);
    expect(await getPairs(e, DOMAIN, 'b-24')).toHaveLength(ATTRS);
  });

  it('keeps a large BatchDeleteAttributes to one transaction as well', async () => {
    const e = await start();
    await ok(e, batch('b-'));
    const del: [string, string][] = [
      ['Action', 'BatchDeleteAttributes'],
      ['DomainName', DOMAIN],
    ];
    for (let i = 0; i < ITEMS; i++) {
      del.push([`Item.${i}.ItemName`, `b-${i}`]);
      for (let a = 0; a < 60; a++) del.push([`Item.${i}.Attribute.${a}.Name`, `a${a}`]);
    }
    const res = await call(e, del);
    expect(res.status).toBe(200);
    expect(await getPairs(e, DOMAIN, 'b-3')).toHaveLength(ATTRS - 60);
  });
});
