// How the analysis tells clients apart when each request comes over a connection of its own (as
// aws-sdk v2 sends them): as many connections as requests, each folded into its User-Agent's
// client once its request has left the held operations (emulator/sync/analyze/clients.ts),
// whatever the connections' numbers and order.
import { describe, expect, it } from 'vitest';
import { Analyzer, type AnalyzableEntry, type Analysis } from '../../emulator/sync/analyze/index.js';
import { putEntry, readEntry } from './entries.js';

const AGENT = 'aws-sdk-nodejs/2.1692.0 linux/v20.19.0';

/** A read of one of five items by an unnamed client, over connection `connection`, taking effect at `order`. */
function oneShot(seq: number, connection: number, order = seq, code = 'Success'): AnalyzableEntry {
  const entry = readEntry(seq, '', 'd', `i${seq % 5}`, { n: ['1'] }, { connection, order, code, userAgent: AGENT, keyHash: null });
  delete (entry as { client?: string }).client;
  return entry;
}

function analyse(entries: readonly AnalyzableEntry[], window: number, held: number[] = []): Analysis {
  const a = new Analyzer({}, { window });
  for (const e of entries) {
    a.add(e);
    held.push(a.heldClients());
  }
  return a.finish();
}

const summary = (a: Analysis) => a.clients.map((c) => ({ id: c.id, by: c.by, requests: c.requests, connections: c.connections, connectionCount: c.connectionCount }));

describe('clients that open a connection per request', () => {
  it('20,000 requests over 20,000 connections, in windows of 1,000: one client, by its User-Agent, holding the connections of a window or two', () => {
    const N = 20_000;
    const entries = Array.from({ length: N }, (_, i) => oneShot(i + 1, i + 1));
    const held: number[] = [];
    const a = analyse(entries, 1000, held);
    expect(summary(a)).toEqual([{ id: 'aws-sdk-nodejs', by: 'user-agent', requests: N, connections: entries.slice(0, 1000).map((e) => e.connection), connectionCount: N }]);
    expect(a.notes.join(' ')).toMatch(/1 client\(s\) named by User-Agent alone/);
    // It holds a window's connections, not more than two: a table that kept every connection would reach 20,000.
    expect(Math.max(...held)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...held)).toBeLessThanOrEqual(2000);
  });

  it('connection numbers far past an array, negative or fractional (a journal from elsewhere) give the same clients', () => {
    // Every tenth connection carries a second request: a keep-alive client of its own. The
    // others are folded as windows settle, whatever their numbers.
    const entries: AnalyzableEntry[] = [];
    for (let i = 1; i <= 3000; i++) entries.push(oneShot(entries.length + 1, i), ...(i % 10 === 0 ? [oneShot(entries.length + 2, i)] : []));
    const near = summary(analyse(entries, 500));
    expect(near.filter((c) => c.by === 'connection')).toHaveLength(300);
    for (const far of [(n: number) => 1e12 + 7 * n, (n: number) => n - 1e6 - 0.5]) {
      const farOff = summary(analyse(entries.map((e) => ({ ...e, connection: far(e.connection as number) })), 500));
      expect(farOff).toEqual(near.map((c) => ({ ...c, id: c.id.replace(/#(\d+)$/, (_, n: string) => `#${far(Number(n))}`), connections: c.connections.map(far) })));
    }
  });

  it('a connection first met with a number too large for the array is the same connection when met again later', () => {
    // Connection 200,000 comes before the array reaches it, and again after 50,000 others, all in one window.
    const entries = [oneShot(1, 200_000)];
    for (let i = 1; i <= 50_000; i++) entries.push(oneShot(entries.length + 1, i));
    entries.push(oneShot(entries.length + 1, 200_000));
    const kept = analyse(entries, 100_000).clients.filter((c) => c.by === 'connection');
    expect(kept).toEqual([expect.objectContaining({ id: 'aws-sdk-nodejs#200000', requests: 2, connections: [200_000] })]);
  });

  it('a connection met again after its one request was folded into the User-Agent’s client is a client of its own from its second request', () => {
    // Connections 7 and 10^12 (a number the array never reaches) carry a request, then, 5,000
    // requests and several windows later, another: the first stays with aws-sdk-nodejs.
    const entries = [oneShot(1, 7), oneShot(2, 1e12)];
    for (let i = 1; i <= 5000; i++) entries.push(oneShot(entries.length + 1, 100 + i));
    entries.push(oneShot(entries.length + 1, 7), oneShot(entries.length + 2, 1e12), oneShot(entries.length + 3, 7));
    const clients = summary(analyse(entries, 500));
    expect(clients).toEqual([
      { id: 'aws-sdk-nodejs', by: 'user-agent', requests: 5002, connections: [7, ...entries.slice(2, 1001).map((e) => e.connection)], connectionCount: 5002 },
      { id: 'aws-sdk-nodejs#7', by: 'connection', requests: 2, connections: [7], connectionCount: 1 },
      { id: 'aws-sdk-nodejs#1000000000000', by: 'connection', requests: 1, connections: [1e12], connectionCount: 1 },
    ]);
  });

  it('a reset connection is continued by the connection first used after it, in the order the requests took effect', () => {
    // Connection 1 is reset at order 10. Connection 2 arrives first but took effect at 30;
    // connection 3 arrives after it and took effect at 20: 3 is the reconnection.
    const entries = [oneShot(1, 1, 10, 'ConnectionReset'), oneShot(2, 2, 30), oneShot(3, 3, 20)];
    for (let i = 4; i <= 40; i++) entries.push(oneShot(i, i, 100 + i));
    const clients = summary(analyse(entries, 8));
    expect(clients.filter((c) => c.by === 'connection')).toEqual([{ id: 'aws-sdk-nodejs#1', by: 'connection', requests: 2, connections: [1, 3], connectionCount: 2 }]);
    expect(clients.find((c) => c.by === 'user-agent')?.connections).toEqual([2, ...entries.slice(3).map((e) => e.connection)]);
  });

  it('a connection met again after a window was settled makes a client of its own in the next window', () => {
    // #17, connection 100's read, is named by User-Agent when the first window is settled (one
    // request so far), and kept for the next. #22 comes over connection 100 again: from the next
    // window on it is the client aws-sdk-nodejs#100, whose write lost #21's (the User-Agent's
    // client), unseen by #17.
    const unnamed = (e: AnalyzableEntry, connection: number): AnalyzableEntry => {
      const x = { ...e, connection, userAgent: AGENT, keyHash: null } as AnalyzableEntry;
      delete (x as { client?: string }).client;
      return x;
    };
    const entries: AnalyzableEntry[] = [];
    for (let seq = 1; seq <= 16; seq++) entries.push(oneShot(seq, 200 + seq));
    entries.push(unnamed(readEntry(17, '', 'd', 'a', { n: ['0'] }), 100));
    for (let seq = 18; seq <= 20; seq++) entries.push(oneShot(seq, 200 + seq));
    entries.push(unnamed(putEntry(21, '', 'd', 'a', 'n', '1'), 300), unnamed(putEntry(22, '', 'd', 'a', 'n', '1'), 100));
    for (let seq = 23; seq <= 80; seq++) entries.push(oneShot(seq, 200 + seq));
    const lost = analyse(entries, 20).findings.filter((f) => f.kind === 'lost-update');
    expect(lost.map((f) => ({ seqs: f.seqs, clients: f.clients }))).toEqual([{ seqs: [17, 21, 22], clients: ['aws-sdk-nodejs#100', 'aws-sdk-nodejs'] }]);
  });

  it('a reconnection after a window was settled joins the reset connection’s client in the next window', () => {
    // #17's response is lost to a reset of connection 100; the first window settles before the
    // client reconnects, naming #17's client by User-Agent. Over connection 300, the client reads
    // the item (#21, which shows #17's write) and writes it again (#22): from the next window on,
    // 300 continues 100, and the retry is the same client's, found as a double-applied retry.
    // Between them, another program's requests (its own User-Agent), which no reset can chain to.
    const other = (seq: number) => ({ ...oneShot(seq, 200 + seq), userAgent: 'other/1' });
    const entries: AnalyzableEntry[] = [];
    for (let seq = 1; seq <= 16; seq++) entries.push(other(seq));
    entries.push({
      ...oneShot(17, 100),
      action: 'PutAttributes',
      params: { Action: 'PutAttributes', Version: '2009-04-15', DomainName: 'd', ItemName: 'a', 'Attribute.1.Name': 'n', 'Attribute.1.Value': '1', 'Attribute.1.Replace': 'true' },
      code: 'ConnectionReset',
      faults: [{ rule: 'f1', effect: 'loseResponse:reset' }],
      read: undefined,
    } as AnalyzableEntry);
    for (let seq = 18; seq <= 20; seq++) entries.push(other(seq));
    entries.push(
      { ...oneShot(21, 300), params: { Action: 'GetAttributes', Version: '2009-04-15', DomainName: 'd', ItemName: 'a' }, read: { consistentRead: true, stale: false, returned: { items: [{ name: 'a', attributes: { n: ['1'] } }] } } } as AnalyzableEntry,
      {
        ...oneShot(22, 300),
        action: 'PutAttributes',
        params: { Action: 'PutAttributes', Version: '2009-04-15', DomainName: 'd', ItemName: 'a', 'Attribute.1.Name': 'n', 'Attribute.1.Value': '2', 'Attribute.1.Replace': 'true' },
        read: undefined,
      } as AnalyzableEntry,
    );
    for (let seq = 23; seq <= 80; seq++) entries.push(other(seq));
    const doubles = analyse(entries, 20).findings.filter((f) => f.kind === 'double-applied-retry');
    expect(doubles.map((f) => ({ seqs: f.seqs, clients: f.clients }))).toEqual([{ seqs: [17, 21, 22], clients: ['aws-sdk-nodejs#100'] }]);
  });

  it('named clients over one-request connections, some reset, beside unnamed ones of the same User-Agent and key: every request counted once', () => {
    // Requests move between identities as connections carry a second request or join a chain:
    // none may be lost or counted twice.
    const entries: AnalyzableEntry[] = [];
    for (let seq = 1; seq <= 3000; seq++) {
      const e = { ...oneShot(seq, seq, seq, seq % 50 === 0 || seq % 77 === 0 ? 'ConnectionReset' : 'Success'), ...(seq % 2 === 0 ? { client: `w${seq % 3}` } : {}) };
      entries.push(e);
    }
    const clients = analyse(entries, 200).clients;
    expect(clients.filter((c) => c.by === 'header').map((c) => [c.id, c.requests, c.connectionCount])).toEqual([
      ['w2', 500, 500],
      ['w1', 500, 500],
      ['w0', 500, 500],
    ]);
    expect(clients.reduce((sum, c) => sum + c.requests, 0)).toBe(3000);
    expect(clients.filter((c) => c.by !== 'header').reduce((sum, c) => sum + c.connectionCount, 0)).toBe(1500);
  });

  it('hostile User-Agents, each with one-request connections and one keep-alive connection, in windows of 200', () => {
    // The last two share a product token: one of them is named with a suffix.
    const agents = ['lone \ud800 surrogate/1', '<img src=x onerror=alert(1)>', `nul\u0000inside/${'v'.repeat(1024)}`, 'é'.repeat(1024), `${'é'.repeat(1024)} other/2`];
    const entries: AnalyzableEntry[] = [];
    for (let round = 0; round < 300; round++) {
      for (const [a, userAgent] of agents.entries()) {
        const keepAlive = round % 3 === 0;
        const seq = entries.length + 1;
        entries.push({ ...oneShot(seq, keepAlive ? 1_000_000 + a : seq), userAgent });
      }
    }
    const clients = summary(analyse(entries, 200));
    const expected = agents.flatMap((userAgent, a) => [
      { token: userAgent.split(/[\s/]/, 1)[0], by: 'user-agent', requests: 200 },
      { token: `${userAgent.split(/[\s/]/, 1)[0] as string}#${1_000_000 + a}`, by: 'connection', requests: 100 },
    ]);
    expect(clients.map((c) => ({ token: c.id.replace(/~2$/, ''), by: c.by, requests: c.requests })).sort((x, y) => x.token.localeCompare(y.token) || x.by.localeCompare(y.by))).toEqual(
      expected.sort((x, y) => (x.token as string).localeCompare(y.token as string) || x.by.localeCompare(y.by)),
    );
    expect(new Set(clients.map((c) => c.id)).size).toBe(clients.length);
    expect(clients.filter((c) => c.id.endsWith('~2'))).toHaveLength(1);
  });
});

