import { describe, expect, it } from 'vitest';
import { Journal } from '../../emulator/sync/journal.js';

const entry = (pairs: [string, string][]) => ({
  time: Date.UTC(2026, 0, 1),
  requestId: 'r',
  method: 'POST',
  action: 'PutAttributes',
  domain: 'd',
  items: ['i'],
  params: { query: '', body: new URLSearchParams(pairs).toString() },
  status: 200,
  code: 'Success',
  latencyMs: 1,
  userAgent: null,
  order: 1,
  applied: true,
  connection: 1,
  client: null,
});

describe('journal ring', () => {
  it('redacts credentials when an entry is read, not when it is stored', () => {
    const j = new Journal(10);
    j.add(entry([['Action', 'PutAttributes'], ['AWSAccessKeyId', 'AKID'], ['Signature', 'sig'], ['SecurityToken', 't']]));
    expect(j.query()[0]?.params).toEqual({ Action: 'PutAttributes' });
    // Keys stay apart by a fingerprint, never the key itself.
    expect(j.query()[0]?.keyHash).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(j.query())).not.toContain('AKID');
  });

  it('shows the parameters of the query string and the body, the body winning, as the emulator read them', () => {
    const j = new Journal(10);
    j.add({ ...entry([]), params: { query: 'Action=GetAttributes&ItemName=q&Signature=s', body: 'ItemName=a+b%26c' } });
    expect(j.query()[0]?.params).toEqual({ Action: 'GetAttributes', ItemName: 'a b&c' });
  });

  it('is bounded by count, keeping the newest entries', () => {
    const j = new Journal(3);
    for (let i = 0; i < 2000; i++) j.add(entry([['n', String(i)]]));
    expect(j.query().map((e) => e.params.n)).toEqual(['1997', '1998', '1999']);
    expect(j.query({ since: 1998 }).map((e) => e.seq)).toEqual([1999, 2000]);
  });

  it('is bounded by the bytes of the parameters it holds, but always keeps the latest entry', () => {
    const big: [string, string][] = [['Value', 'x'.repeat(1000)]];
    const j = new Journal(1000, undefined, 10_000);
    for (let i = 0; i < 20; i++) j.add(entry(big));
    expect(j.query()).toHaveLength(4);
    const tiny = new Journal(1000, undefined, 10);
    tiny.add(entry(big));
    expect(tiny.query()).toHaveLength(1);
  });
});
