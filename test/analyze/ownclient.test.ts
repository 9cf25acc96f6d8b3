// Our own client names itself: whatever its connection pool does, its requests are one client.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { Counter, CreateDomainCommand, GetAttributesCommand, SimpleDBClient } from '../../client/index.js';
import { start } from '../support/sync.js';

let emu: Emulator | undefined;
const clients: SimpleDBClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await emu?.close();
  emu = undefined;
});

function client(options: { clientId?: string } = {}): SimpleDBClient {
  const c = new SimpleDBClient({ endpoint: emu?.url, ...options });
  clients.push(c);
  return c;
}

describe('SimpleDBClient names itself to the detector', () => {
  it("the README's Counter snippet, run alone on a fresh emulator, analyses clean as one client", async () => {
    emu = await start({ journalSize: 10_000 });
    const c = client();
    await c.send(new CreateDomainCommand({ DomainName: 'counters' }));
    const hits = await Counter.create({ client: c, domain: 'counters', name: 'hits', initial: 0 });
    await hits.increment();
    await hits.incrementWithRetry(1);
    expect(+hits).toBe(2);
    // Reads issued together open more pooled connections; the increments after them use any of them.
    const read = () => c.send(new GetAttributesCommand({ DomainName: 'counters', ItemName: 'hits', ConsistentRead: true }));
    await Promise.all([read(), read(), read()]);
    for (let i = 0; i < 10; i++) await hits.increment();
    expect(+hits).toBe(12);
    const a = emu.control.analyze();
    expect(a.summary.anomalies).toBe(0);
    expect(a.clients).toHaveLength(1);
    expect(a.clients[0]?.by).toBe('header');
    expect(a.clients[0]?.connections.length).toBeGreaterThan(1);
  });

  it('a generated id is stable per instance and differs between instances; clientId wins', async () => {
    emu = await start({ journalSize: 100 });
    const one = client();
    const two = client();
    const named = client({ clientId: 'worker-7' });
    expect(one.clientId).toMatch(/^auto-[0-9a-f]{8}$/);
    expect(one.clientId).not.toBe(two.clientId);
    expect(named.clientId).toBe('worker-7');
    for (const c of [one, two, one, named]) await c.send(new CreateDomainCommand({ DomainName: 'dom' }));
    expect(emu.control.journal({ action: 'CreateDomain' }).map((e) => e.client)).toEqual([one.clientId, two.clientId, one.clientId, 'worker-7']);
  });
});
