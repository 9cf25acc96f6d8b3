// GET /_simpledb/analysis and emu.control.analyze(): the same analysis of the journal's ring,
// as JSON; thresholds from the query string; with isolated accounts, one account's requests.
import { afterEach, describe, expect, it } from 'vitest';
import type { Analysis } from '../../emulator/sync/analyze/index.js';
import type { Emulator } from '../../emulator/index.js';
import { CreateDomainCommand, PutAttributesCommand, SimpleDBClient } from '../../client/index.js';
import { control, createDomain, start } from '../support/sync.js';
import { as } from './support.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** Two clients racing on one conditional counter: every write of `loser` fails. */
async function contention(e: Emulator): Promise<void> {
  await createDomain(e, 'counters');
  const winner = as(e, 'winner');
  const loser = as(e, 'loser');
  await winner.put('counters', 'hits', { n: '0' });
  for (let n = 0; n < 12; n++) {
    expect(await winner.put('counters', 'hits', { n: String(n + 1) }, { name: 'n', value: String(n) })).toBe(200);
    expect(await loser.put('counters', 'hits', { n: String(n + 1) }, { name: 'n', value: String(n) })).toBe(409);
  }
}

describe('GET /_simpledb/analysis', () => {
  it('answers the analysis as JSON, the same as emu.control.analyze()', async () => {
    emu = await start();
    await contention(emu);
    const r = await control(emu, 'GET', 'analysis');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/application\/json/);
    expect(r.json).toEqual(emu.control.analyze());
    const a = r.json as Analysis;
    expect(a.summary).toMatchObject({ anomalies: 0, hotspots: 1, 'conflict-storm': 1 });
    expect(a.findings[0]).toMatchObject({
      kind: 'conflict-storm',
      severity: 'hotspot',
      domain: 'counters',
      item: 'hits',
      clients: ['loser', 'winner'],
      conditional: { writes: 24, failed: 12, rate: 0.5, byClient: [{ client: 'loser', writes: 12, failed: 12 }, { client: 'winner', writes: 12, failed: 0 }] },
    });
    expect(a.findings[0]?.seqs).toHaveLength(12);
  });

  it('takes the storm thresholds from the query string, and refuses bad ones with 400', async () => {
    emu = await start();
    await contention(emu);
    expect(((await control(emu, 'GET', 'analysis?stormRate=0.6')).json as Analysis).findings).toEqual([]);
    expect(((await control(emu, 'GET', 'analysis?stormMinWrites=25')).json as Analysis).findings).toEqual([]);
    for (const query of ['stormRate=1.5', 'stormMinWrites=0', 'stormRate=x', 'color=red']) {
      const r = await control(emu, 'GET', `analysis?${query}`);
      expect([r.status, typeof (r.json as { error?: { message?: string } }).error?.message]).toEqual([400, 'string']);
    }
  });

  it("says how many requests have left the journal's ring, and so were not analysed (per account under isolation)", async () => {
    emu = await start({ journalSize: 4, isolateAccounts: true });
    const keyed = (accessKeyId: string) => (action: string, params: Record<string, string>) =>
      fetch(emu?.url + '/', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ Action: action, Version: '2009-04-15', AWSAccessKeyId: accessKeyId, ...params }),
      });
    const one = keyed('AKIDONE');
    expect((await one('CreateDomain', { DomainName: 'dom' })).status).toBe(200);
    expect(emu.control.analyze().notes.join('\n')).not.toContain('no longer holds');
    for (let i = 0; i < 5; i++) await one('PutAttributes', { DomainName: 'dom', ItemName: `i${i}`, 'Attribute.1.Name': 'a', 'Attribute.1.Value': 'v' });
    await keyed('AKIDTWO')('CreateDomain', { DomainName: 'dom' });
    // 7 requests, 4 kept: AKIDONE's 3 oldest are gone; AKIDTWO lost none, and is not told about AKIDONE's.
    expect(emu.control.analyze().notes).toContain(
      "The journal's ring no longer holds the 3 oldest request(s): it keeps --journal-size entries and 16 MB of parameters, and they were not analysed. A --journal file keeps every request: simpledb-local analyze FILE reads it all.",
    );
    expect(emu.control.analyze({ account: 'AKIDONE' }).notes.join('\n')).toContain('no longer holds the 3 oldest');
    expect(emu.control.analyze({ account: 'AKIDTWO' }).notes.join('\n')).not.toContain('no longer holds');
    emu.control.clearJournal();
    expect(emu.control.analyze().notes.join('\n')).not.toContain('no longer holds');
  });

  it('with isolated accounts, analyses one account at a time', async () => {
    emu = await start({ isolateAccounts: true });
    const keyed = (accessKeyId: string) => async (action: string, params: Record<string, string>) =>
      fetch(emu?.url + '/', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-simpledb-client': accessKeyId },
        body: new URLSearchParams({ Action: action, Version: '2009-04-15', AWSAccessKeyId: accessKeyId, ...params }),
      });
    for (const key of ['AKIDONE', 'AKIDTWO']) {
      const call = keyed(key);
      expect((await call('CreateDomain', { DomainName: 'dom' })).status).toBe(200);
      await call('PutAttributes', { DomainName: 'dom', ItemName: 'i', 'Attribute.1.Name': 'a', 'Attribute.1.Value': key });
    }
    expect(emu.control.journal().map((e) => e.account)).toEqual(['AKIDONE', 'AKIDONE', 'AKIDTWO', 'AKIDTWO']);
    const one = emu.control.analyze({ account: 'AKIDONE' });
    expect([one.requests, one.clients.map((c) => c.id)]).toEqual([2, ['AKIDONE']]);
    expect(emu.control.analyze().requests).toBe(4);
  });

  it('with signature checking and isolated accounts, the route shows the caller its own account only', async () => {
    const keys = [
      { accessKeyId: 'AKIDONE', secretAccessKey: 'secret-one' },
      { accessKeyId: 'AKIDTWO', secretAccessKey: 'secret-two' },
    ];
    emu = await start({ credentials: keys, isolateAccounts: true });
    for (const credentials of keys) {
      const client = new SimpleDBClient({ endpoint: emu.url, credentials, clientId: credentials.accessKeyId });
      try {
        await client.send(new CreateDomainCommand({ DomainName: 'dom' }));
        await client.send(new PutAttributesCommand({ DomainName: 'dom', ItemName: 'i', Attributes: [{ Name: 'a', Value: '1' }] }));
      } finally {
        await client.destroy();
      }
    }
    const basic = (k: { accessKeyId: string; secretAccessKey: string }) =>
      'Basic ' + Buffer.from(`${k.accessKeyId}:${k.secretAccessKey}`).toString('base64');
    const res = await fetch(`${emu.url}/_simpledb/analysis`, { headers: { authorization: basic(keys[1] as (typeof keys)[1]) } });
    expect(res.status).toBe(200);
    const a = (await res.json()) as Analysis;
    expect([a.requests, a.clients.map((c) => c.id)]).toEqual([2, ['AKIDTWO']]);
    expect((await fetch(`${emu.url}/_simpledb/analysis`)).status).toBe(401);
  });
});
