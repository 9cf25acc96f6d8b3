// The same analysis on journals of unmodified real clients, told apart without any header:
// boto3 processes by their keep-alive connections, aws-sdk v2 processes (one connection per
// request) by their User-Agent.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { count, counterValue, eventualCounter, killWorkers, runWorker } from './support.js';

let emu: Emulator | undefined;
afterEach(async () => {
  killWorkers();
  await emu?.close();
  emu = undefined;
});

function hasBoto3(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

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
    expect(count(a, 'stale-read-write')).toBeGreaterThan(0);
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
