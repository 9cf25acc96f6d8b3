// A conflict storm lists its first failed writes, and counts each writer's writes and failures
// (emulator/sync/analyze/index.ts keeps both as numbers in typed arrays that grow as writers and
// failures come): each with its own sequence number, client and action, whatever the names.
import { describe, expect, it } from 'vitest';
import { Analyzer, type AnalyzableEntry } from '../../emulator/sync/analyze/index.js';

// Ten writers: more than a storm first makes room for.
const CLIENTS = ['lone \ud800 surrogate', '<img src=x onerror=alert(1)>', 'nul \u0000 inside', 'é'.repeat(512), ...['e', 'f', 'g', 'h', 'i', 'j'].map((c) => `writer ${c}`)];

/** `client`'s write of n on item `hot` of domain d, on the condition that n is `expected`, over a connection of its own: failed or applied. */
function conditionalWrite(seq: number, client: string, action: string, fails: boolean, expected: string): AnalyzableEntry {
  return {
    seq,
    order: seq,
    client,
    connection: seq,
    action,
    params: { Action: action, Version: '2009-04-15', DomainName: 'd', ItemName: 'hot', 'Attribute.1.Name': 'n', 'Attribute.1.Value': String(seq), 'Expected.1.Name': 'n', 'Expected.1.Value': expected },
    code: fails ? 'ConditionalCheckFailed' : 'Success',
    applied: !fails,
  } as AnalyzableEntry;
}

describe('a conflict storm’s evidence', () => {
  it('names the first fifty failed writes, each with its client and action, in order', () => {
    const entries: AnalyzableEntry[] = [];
    const failed: { seq: number; client: string; action: string }[] = [];
    for (let seq = 1; seq <= 90; seq++) {
      const client = CLIENTS[(seq * 7) % CLIENTS.length] as string;
      const action = seq % 3 === 0 ? 'DeleteAttributes' : 'PutAttributes';
      const fails = seq % 5 !== 0;
      if (fails) failed.push({ seq, client, action });
      entries.push(conditionalWrite(seq, client, action, fails, 'v'.repeat(1024)));
    }
    // Windows of 8: the storm is counted across all of them.
    const a = new Analyzer({}, { window: 8 });
    for (const e of entries) a.add(e);
    const storm = a.finish().findings.find((f) => f.kind === 'conflict-storm');
    expect(storm?.conditional).toMatchObject({ writes: 90, failed: failed.length });
    expect(storm?.evidence).toEqual(failed.slice(0, 50).map((f) => ({ seq: f.seq, role: 'failed-write', client: f.client, action: f.action })));
    expect(storm?.message).toContain(`(the first 50 failures listed)`);
    // Its sequence numbers, ascending, each once: longer evidence than most findings have.
    expect(storm?.seqs).toEqual(failed.slice(0, 50).map((f) => f.seq));
    // Per client, its own writes and failures, the most failures first.
    const per = CLIENTS.map((client) => ({
      client,
      writes: entries.filter((e) => e.client === client).length,
      failed: failed.filter((f) => f.client === client).length,
    })).sort((x, y) => y.failed - x.failed || x.client.localeCompare(y.client));
    expect(storm?.conditional?.byClient).toEqual(per);
    // The message names the five with the most failures; the counts above have every client.
    const named = per.slice(0, 5).map((c) => `${c.client} ${c.failed}/${c.writes}`).join(', ');
    expect(storm?.message).toBe(`Conflict storm on d/hot: ${failed.length} of 90 conditional writes failed (${Math.round((100 * failed.length) / 90)} %); ${named} and 5 more clients (the first 50 failures listed).`);
  });

  it('lists its first failures by sequence number when one took effect after all the others', () => {
    // Write #3 took effect last: later windows drop the writes after it first, and it is counted
    // with the last. It is still among the first fifty, in its place.
    const entries: AnalyzableEntry[] = [];
    for (let seq = 1; seq <= 90; seq++) entries.push(conditionalWrite(seq, CLIENTS[seq % CLIENTS.length] as string, 'PutAttributes', true, '0'));
    (entries[2] as AnalyzableEntry).order = 1000;
    const a = new Analyzer({}, { window: 8 });
    for (const e of entries) a.add(e);
    const storm = a.finish().findings.find((f) => f.kind === 'conflict-storm');
    expect(storm?.conditional).toMatchObject({ writes: 90, failed: 90 });
    expect(storm?.seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(storm?.evidence[2]).toEqual({ seq: 3, role: 'failed-write', client: CLIENTS[3], action: 'PutAttributes' });
  });

  it('counts each of hundreds of writers (named clients, a connection per request) and each one that comes back', () => {
    // 300 writers, each writing three times, the rounds interleaved: past the writers a storm
    // scans, a writer coming back is found by its identity, not counted as a new one.
    const WRITERS = 300;
    const entries: AnalyzableEntry[] = [];
    let seq = 0;
    for (let round = 0; round < 3; round++) {
      for (let w = 0; w < WRITERS; w++) {
        seq++;
        const fails = (w + round) % 3 !== 0;
        entries.push(conditionalWrite(seq, `${CLIENTS[w % CLIENTS.length] as string} ${w}`, 'PutAttributes', fails, '0'));
      }
    }
    const a = new Analyzer({}, { window: 100 });
    for (const e of entries) a.add(e);
    const storm = a.finish().findings.find((f) => f.kind === 'conflict-storm');
    expect(storm?.conditional).toMatchObject({ writes: 900, failed: 600 });
    const byClient = storm?.conditional?.byClient ?? [];
    expect(byClient).toHaveLength(WRITERS);
    expect(byClient.every((c) => c.writes === 3 && c.failed === 2)).toBe(true);
    expect(storm?.clients).toHaveLength(WRITERS);
    expect(storm?.message).toMatch(/; (?:[^,]+ 2\/3, ){4}[^,]+ 2\/3 and 295 more clients \(the first 50 failures listed\)\.$/);
  });
});
