// The same analysis on journals of unmodified real clients, told apart without any header:
// boto3 processes by their keep-alive connections, aws-sdk v2 processes (one connection per
// request) by their User-Agent.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { createDomain, put, start } from '../support/sync.js';
import { count, counterValue, eventualCounter, hasBoto3, killWorkers, runWorker } from './support.js';

let emu: Emulator | undefined;
afterEach(async () => {
  killWorkers();
  await emu?.close();
  emu = undefined;
});


describe('a naive counter run by real clients under eventual', () => {
  it.skipIf(!hasBoto3())('three boto3 processes: one client per connection, lost updates = increments missing', async () => {
    emu = await eventualCounter();
    const job = { endpoint: emu.url, domain: 'counters', item: 'hits', increments: 20 };
    await Promise.all([1, 2, 3].map(() => runWorker('boto3', job)));
    const missing = 60 - (await counterValue(emu));
    expect(missing).toBeGreaterThan(0);
    const a = emu.control.analyze();
    const boto = a.clients.filter((c) => c.userAgent?.startsWith('Boto3'));
    expect(boto.map((c) => [c.by, c.requests])).toEqual([
      ['connection', 40],
      ['connection', 40],
      ['connection', 40],
    ]);
    expect(count(a, 'lost-update')).toBe(missing);
    // Whether a read was stale, and whether a stale read missed anything, depends on timing (a 100 ms
    // window), so the race decides how many there are; what must hold is that each names a stale read.
    const stale = new Set(emu.control.journal({ action: 'GetAttributes' }).filter((e) => e.read?.stale === true).map((e) => e.seq));
    const named = a.findings.filter((f) => f.kind === 'stale-read-write').flatMap((f) => f.evidence.filter((e) => e.role === 'stale-read'));
    expect(named.filter((e) => !stale.has(e.seq))).toEqual([]);
    expect(named.length).toBe(count(a, 'stale-read-write'));
  });

  it.skipIf(!hasBoto3())('a boto3 process whose connection is reset retries the increment: one double-applied write', async () => {
    emu = await start({ journalSize: 10_000 });
    await createDomain(emu, 'counters');
    await put(emu, 'counters', 'hits', { n: '0' });
    emu.control.faults.add({ action: 'PutAttributes', loseResponse: 'reset', skip: 1, count: 1 });
    await runWorker('boto3', { endpoint: emu.url, domain: 'counters', item: 'hits', increments: 3, retry: true });
    expect(await counterValue(emu)).toBe(4);
    const a = emu.control.analyze();
    expect(a.findings.map((f) => f.kind)).toEqual(['double-applied-retry']);
    // Unnamed: the reconnection after the reset continues the reset connection's client.
    const boto = a.clients.filter((c) => c.userAgent?.startsWith('Boto3'));
    expect(boto).toHaveLength(1);
    expect(boto[0]?.connections.length).toBe(2);
    expect(a.findings[0]?.clients).toEqual([boto[0]?.id]);
  });

  it('three aws-sdk v2 processes, each with its own customUserAgent: lost updates = increments missing', async () => {
    emu = await eventualCounter();
    const job = { endpoint: emu.url, domain: 'counters', item: 'hits', increments: 20 };
    await Promise.all(['job-a', 'job-b', 'job-c'].map((customUserAgent) => runWorker('aws-sdk', { ...job, customUserAgent })));
    const missing = 60 - (await counterValue(emu));
    expect(missing).toBeGreaterThan(0);
    const a = emu.control.analyze();
    const sdk = a.clients.filter((c) => c.userAgent?.startsWith('aws-sdk-nodejs'));
    expect(sdk.map((c) => [c.by, c.requests])).toEqual([
      ['user-agent', 40],
      ['user-agent', 40],
      ['user-agent', 40],
    ]);
    expect(count(a, 'lost-update')).toBe(missing);
    // aws-sdk v2 closes its connection after every request: the report says why User-Agent decided.
    expect(a.notes.join(' ')).toMatch(/named by User-Agent alone/);
  });
});
