// Correct programs analyse clean; the bug next to each is still found, exactly. Each runs our
// client (one SimpleDBClient per logical client) against a real emulator.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import type { Analysis } from '../../emulator/sync/analyze/index.js';
import {
  ConditionalCheckFailed,
  CreateDomainCommand,
  DeleteAttributesCommand,
  GetAttributesCommand,
  PutAttributesCommand,
  SelectCommand,
  SimpleDBClient,
} from '../../client/index.js';
import { start } from '../support/sync.js';

let emu: Emulator | undefined;
const open: SimpleDBClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.destroy()));
  await emu?.close();
  emu = undefined;
});

function client(clientId: string): SimpleDBClient {
  const c = new SimpleDBClient({ endpoint: emu?.url, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' }, clientId, maxAttempts: 1 });
  open.push(c);
  return c;
}

/** An emulator with `setup` done consistently, then switched to eventual reads. */
async function eventual(setup: (c: SimpleDBClient) => Promise<void>, seed = 11): Promise<void> {
  emu = await start({ journalSize: 100_000 });
  const admin = client('setup');
  await admin.send(new CreateDomainCommand({ DomainName: 'dom' }));
  await setup(admin);
  emu.control.consistency({ mode: 'eventual', maxStalenessMs: 60, seed });
}

async function read(c: SimpleDBClient, item: string, consistent = false): Promise<Record<string, string[]>> {
  const out = await c.send(new GetAttributesCommand({ DomainName: 'dom', ItemName: item, ConsistentRead: consistent }));
  const values: Record<string, string[]> = {};
  for (const a of out.Attributes ?? []) (values[a.Name] ??= []).push(a.Value);
  return values;
}

function set(c: SimpleDBClient, item: string, attrs: Record<string, string>, expected?: { Name: string; Value: string }) {
  const Attributes = Object.entries(attrs).map(([Name, Value]) => ({ Name, Value, Replace: true }));
  return c.send(new PutAttributesCommand({ DomainName: 'dom', ItemName: item, Attributes, ...(expected ? { Expected: expected } : {}) }));
}

function clean(a: Analysis): void {
  expect(a.findings.filter((f) => f.severity === 'anomaly')).toEqual([]);
  expect(a.summary).toMatchObject({ anomalies: 0, possible: 0 });
}

/**
 * No definite anomaly. A write from local state after a read that missed the client's own earlier
 * write looks like an increment computed from that read: possible, and said so.
 */
function noDefinite(a: Analysis): void {
  expect(a.summary.anomalies).toBe(0);
  for (const f of a.findings) expect([f.kind, f.confidence, f.reason]).toEqual(['lost-update', 'possible', expect.stringMatching(/own earlier write/)]);
}

describe('correct programs analyse clean', () => {
  it('a conditional counter on eventual reads while another client writes a different attribute', async () => {
    await eventual((c) => set(c, 'hits', { n: '0', label: 'start' }).then(() => undefined));
    const increments = async (c: SimpleDBClient) => {
      for (let done = 0, tries = 0; done < 12 && tries < 2000; tries++) {
        const n = (await read(c, 'hits')).n?.[0] ?? '0';
        try {
          await set(c, 'hits', { n: String(Number(n) + 1) }, { Name: 'n', Value: n });
          done++;
        } catch (err) {
          if (!(err instanceof ConditionalCheckFailed)) throw err;
        }
      }
    };
    const labeller = async (c: SimpleDBClient) => {
      for (let i = 0; i < 30; i++) await set(c, 'hits', { label: `l${i}` });
    };
    await Promise.all([increments(client('c1')), increments(client('c2')), labeller(client('labeller'))]);
    expect((await read(client('check'), 'hits', true)).n).toEqual(['24']);
    const a = emu?.control.analyze() as Analysis;
    clean(a);
    // The reads were stale for the item (the label moved on), not for what the writes checked.
    expect(emu?.control.journal({ action: 'GetAttributes' }).some((e) => e.read?.stale)).toBe(true);
  });

  it('writers on disjoint items, with a display-only eventually consistent select *', async () => {
    await eventual(async () => undefined);
    const writer = async (c: SimpleDBClient, prefix: string) => {
      for (let i = 0; i < 15; i++) {
        await set(c, `${prefix}-${i % 3}`, { progress: String(i), owner: prefix });
        const page = await c.send(new SelectCommand({ SelectExpression: 'select * from `dom`', ConsistentRead: false }));
        expect(page.Items?.length ?? 0).toBeLessThanOrEqual(6);
      }
    };
    await Promise.all([writer(client('w1'), 'a'), writer(client('w2'), 'b')]);
    noDefinite(emu?.control.analyze() as Analysis);
  });

  it('blind writes: heartbeats and status set from local state, never read', async () => {
    await eventual(async () => undefined);
    const beat = async (c: SimpleDBClient, me: string) => {
      for (let i = 0; i < 20; i++) await set(c, 'svc', { status: `${me} step ${i}`, heartbeat: String(1000 + i) });
    };
    await Promise.all([beat(client('h1'), 'h1'), beat(client('h2'), 'h2')]);
    const a = emu?.control.analyze() as Analysis;
    expect(a.findings).toEqual([]);
  });

  it("adding and removing one's own value of a multi-valued attribute (Replace=false)", async () => {
    await eventual((c) => set(c, 'group', { name: 'g' }).then(() => undefined));
    const member = async (c: SimpleDBClient, me: string) => {
      for (let i = 0; i < 5; i++) {
        await read(c, 'group');
        await c.send(new PutAttributesCommand({ DomainName: 'dom', ItemName: 'group', Attributes: [{ Name: 'members', Value: me }] }));
        await read(c, 'group');
        await c.send(new DeleteAttributesCommand({ DomainName: 'dom', ItemName: 'group', Attributes: [{ Name: 'members', Value: me }] }));
      }
    };
    await Promise.all(['m1', 'm2', 'm3'].map((me) => member(client(me), me)));
    clean(emu?.control.analyze() as Analysis);
  });

  it('a worker writing progress from local state while polling a cancel flag on the same item', async () => {
    await eventual((c) => set(c, 'job', { progress: '0', cancel: 'false' }).then(() => undefined));
    const worker = async (c: SimpleDBClient) => {
      for (let i = 1; i <= 200; i++) {
        if ((await read(c, 'job')).cancel?.[0] === 'true') return i;
        await set(c, 'job', { progress: String(i * 5) });
      }
      return 0;
    };
    const controller = async (c: SimpleDBClient) => {
      for (let i = 0; i < 200 && Number((await read(c, 'job', true)).progress?.[0]) < 50; i++);
      await set(c, 'job', { cancel: 'true' });
    };
    const [stoppedAt] = await Promise.all([worker(client('worker')), controller(client('controller'))]);
    expect(stoppedAt).toBeGreaterThan(10);
    noDefinite(emu?.control.analyze() as Analysis);
  });
});

describe('the bugs next to them are found, exactly', () => {
  it('a replace of a multi-valued attribute from a stale read drops the values added since: one lost update each', async () => {
    emu = await start({ journalSize: 1000 });
    const admin = client('setup');
    await admin.send(new CreateDomainCommand({ DomainName: 'dom' }));
    await admin.send(new PutAttributesCommand({ DomainName: 'dom', ItemName: 'group', Attributes: [{ Name: 'members', Value: 'a' }] }));
    emu.control.freeze();
    for (const me of ['b', 'c']) {
      await client(me).send(new PutAttributesCommand({ DomainName: 'dom', ItemName: 'group', Attributes: [{ Name: 'members', Value: me }] }));
    }
    const bad = client('rewriter');
    const seen = (await read(bad, 'group')).members ?? [];
    expect(seen).toEqual(['a']);
    const Attributes = [...seen, 'd'].map((Value) => ({ Name: 'members', Value, Replace: true }));
    await bad.send(new PutAttributesCommand({ DomainName: 'dom', ItemName: 'group', Attributes }));
    const a = emu.control.analyze();
    const lost = a.findings.filter((f) => f.kind === 'lost-update');
    const puts = emu.control.journal({ action: 'PutAttributes' });
    const seqOf = (client: string) => puts.find((e) => e.client === client)?.seq;
    expect(lost.map((f) => [f.confidence, f.evidence[0]?.seq, f.evidence.find((e) => e.role === 'overwrite')?.seq])).toEqual([
      ['definite', seqOf('b'), seqOf('rewriter')],
      ['definite', seqOf('c'), seqOf('rewriter')],
    ]);
    expect(a.summary.anomalies).toBe(3); // the two lost values and the write built on the stale read
  });
});
