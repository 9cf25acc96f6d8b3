/**
 * Crash suite: two emulator processes share one file database while writers put, batch-put,
 * delete and conditionally increment over HTTP; both are killed with SIGKILL once a seeded
 * number of writes has been acknowledged. After each restart every acknowledged write must be
 * there (and every acknowledged delete gone), a write whose answer never came may be either,
 * and SQLite's integrity check must pass. Rounds alternate --durability normal and full: a
 * process kill loses nothing under either (docs/reliability.md).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { children, parseXml, text, type XmlNode } from '../support/protocol.js';
import {
  between,
  post,
  runSeed,
  SCALE,
  seededRandom,
  startCli,
  stopAll,
  stopCli,
  tempDir,
  type CliServer,
} from './support.js';

const SEED = runSeed();
const ROUNDS = 4 * SCALE;
const WRITERS = 6;
const DOMAIN = 'crash';
/** Acknowledged writes per round before the kill, drawn from this range. */
const ACKS = { min: 150 * SCALE, max: 500 * SCALE };
/** Far more than a round needs: the kill ends every writer long before. */
const MAX_OPS_PER_WRITER = 100 * ACKS.max;

const tmp = tempDir('crash');
const FILE = join(tmp.dir, 'crash.db');

afterAll(async () => {
  await stopAll();
  tmp.remove();
});

/** What the writers were told: the truth the file must hold after a crash. */
class Ledger {
  /** Item → its `n`, for items whose put was acknowledged (and not deleted since). */
  readonly present = new Map<string, string>();
  /** Items whose last write (put or delete) got no answer: either outcome is correct. */
  readonly uncertain = new Map<string, string>();
  readonly deleted = new Set<string>();
  /** Per writer: the counter's acknowledged value and the value of an unanswered increment. */
  readonly counters = Array.from({ length: WRITERS }, () => ({ value: 0, pending: undefined as number | undefined }));
  acknowledged = 0;
  unanswered = 0;
}

type Pair = [string, string];

/** `Attribute.N.*` with Replace, under `prefix` (`Item.1.` in a batch). */
function attributes(pairs: Pair[], prefix = ''): Pair[] {
  return pairs.flatMap(([name, value], k): Pair[] => [
    [`${prefix}Attribute.${k + 1}.Name`, name],
    [`${prefix}Attribute.${k + 1}.Value`, value],
    [`${prefix}Attribute.${k + 1}.Replace`, 'true'],
  ]);
}

interface RoundPlan {
  round: number;
  servers: CliServer[];
  ledger: Ledger;
  random: () => number;
  /** Acknowledgements after which both processes get SIGKILL. */
  killAt: number;
}

/**
 * One writer: random operations until its server is gone. A request that fails without an
 * answer is the one the kill interrupted; its outcome is unknown, so it goes to `uncertain`.
 */
async function writer(plan: RoundPlan, w: number, kill: () => void): Promise<void> {
  const { ledger, random, round } = plan;
  const server = plan.servers[w % plan.servers.length];
  if (!server) throw new Error('no server');
  const mine: string[] = [];
  const counter = ledger.counters[w];
  if (!counter) throw new Error('no counter');
  for (let seq = 0; seq < MAX_OPS_PER_WRITER; seq++) {
    const roll = random();
    const item = `r${round}-w${w}-${seq}`;
    const pad = 'x'.repeat(between(random, 0, 300));
    let params: Pair[];
    let onAck: () => void;
    let onUnknown: () => void;
    if (roll < 0.55) {
      params = [['Action', 'PutAttributes'], ['ItemName', item], ...attributes([['n', String(seq)], ['w', String(w)], ['pad', pad]])];
      onAck = () => {
        ledger.present.set(item, String(seq));
        mine.push(item);
      };
      onUnknown = () => ledger.uncertain.set(item, String(seq));
    } else if (roll < 0.7) {
      const names = [0, 1, 2, 3, 4].map((k) => `${item}-b${k}`);
      params = [
        ['Action', 'BatchPutAttributes'],
        ...names.flatMap((name, i): Pair[] => [
          [`Item.${i + 1}.ItemName`, name],
          ...attributes([['n', String(seq)], ['w', String(w)]], `Item.${i + 1}.`),
        ]),
      ];
      onAck = () => names.forEach((name) => (ledger.present.set(name, String(seq)), mine.push(name)));
      onUnknown = () => names.forEach((name) => ledger.uncertain.set(name, String(seq)));
    } else if (roll < 0.85 || mine.length === 0) {
      const from = counter.value;
      const expected: Pair[] =
        from === 0
          ? [['Expected.1.Name', 'v'], ['Expected.1.Exists', 'false']]
          : [['Expected.1.Name', 'v'], ['Expected.1.Value', String(from)]];
      params = [['Action', 'PutAttributes'], ['ItemName', `counter-${w}`], ...attributes([['v', String(from + 1)]]), ...expected];
      onAck = () => (counter.value = from + 1);
      onUnknown = () => (counter.pending = from + 1);
    } else {
      const victim = mine.splice(between(random, 0, mine.length - 1), 1)[0] ?? '';
      const n = ledger.present.get(victim) ?? '';
      params = [['Action', 'DeleteAttributes'], ['ItemName', victim]];
      onAck = () => {
        ledger.present.delete(victim);
        ledger.deleted.add(victim);
      };
      onUnknown = () => {
        ledger.present.delete(victim);
        ledger.uncertain.set(victim, n);
      };
    }
    let status: number;
    let body: string;
    try {
      ({ status, text: body } = await post(server, [...params, ['DomainName', DOMAIN]]));
    } catch {
      onUnknown();
      ledger.unanswered++;
      return;
    }
    if (status !== 200) throw new Error(`round ${round} writer ${w}: ${status} ${body}`);
    onAck();
    if (++ledger.acknowledged >= plan.killAt) kill();
  }
  throw new Error(`writer ${w} wrote ${MAX_OPS_PER_WRITER} times in round ${round} and no kill came`);
}

/** Every item of the domain with its `n`, read through Select page by page. */
async function stored(server: CliServer): Promise<Map<string, string | undefined>> {
  const items = new Map<string, string | undefined>();
  let token: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const params: Pair[] = [
      ['Action', 'Select'],
      ['SelectExpression', `select n from ${DOMAIN} where itemName() like 'r%'`],
      ['ConsistentRead', 'true'],
    ];
    if (token !== undefined) params.push(['NextToken', token]);
    const res = await post(server, params);
    if (res.status !== 200) throw new Error(`Select: ${res.status} ${res.text}`);
    const result = (parseXml(res.text)['SelectResponse'] as Record<string, XmlNode>)['SelectResult'];
    for (const item of children(result, 'Item')) {
      const attr = children(item, 'Attribute')[0];
      items.set(text(item['Name']), attr ? text(attr['Value']) : undefined);
    }
    const next = typeof result === 'object' && !Array.isArray(result) ? result['NextToken'] : undefined;
    if (next === undefined) return items;
    token = text(next);
  }
  throw new Error('Select did not finish paging');
}

async function counterValue(server: CliServer, w: number): Promise<number> {
  const res = await post(server, [
    ['Action', 'GetAttributes'],
    ['DomainName', DOMAIN],
    ['ItemName', `counter-${w}`],
    ['ConsistentRead', 'true'],
  ]);
  if (res.status !== 200) throw new Error(`GetAttributes: ${res.status} ${res.text}`);
  const value = /<Value>(\d+)<\/Value>/.exec(res.text)?.[1];
  return value === undefined ? 0 : Number(value);
}

/** Checks the restarted server against the ledger, then settles what was uncertain. */
async function verify(server: CliServer, ledger: Ledger): Promise<void> {
  const items = await stored(server);
  const missing = [...ledger.present].filter(([item, n]) => items.get(item) !== n);
  expect(missing.slice(0, 10), `${missing.length} acknowledged writes missing or wrong (seed ${SEED})`).toEqual([]);
  const resurrected = [...ledger.deleted].filter((item) => items.has(item));
  expect(resurrected.slice(0, 10), `acknowledged deletes undone (seed ${SEED})`).toEqual([]);
  for (const [item, n] of ledger.uncertain) {
    if (!items.has(item)) continue;
    expect(items.get(item), item).toBe(n);
  }
  ledger.uncertain.clear();
  for (const [w, counter] of ledger.counters.entries()) {
    const value = await counterValue(server, w);
    expect([counter.value, counter.pending], `counter ${w} (seed ${SEED})`).toContain(value);
    counter.value = value;
    counter.pending = undefined;
  }
  // The file's own view, read beside the running emulator: a WAL database takes a reader.
  const db = new Database(FILE, { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    db.close();
  }
}

async function startPair(durability: string): Promise<CliServer[]> {
  const args = ['--db', FILE, '--durability', durability];
  // One after the other: the first creates the schema, the second finds it.
  const first = await startCli(args);
  return [first, await startCli(args)];
}

describe(`crash: ${ROUNDS} rounds of SIGKILL under ${WRITERS} writers on two processes (seed ${SEED})`, () => {
  it('keeps every acknowledged write and an intact file', { timeout: 60_000 * SCALE }, async () => {
    const random = seededRandom(SEED);
    const ledger = new Ledger();
    let servers = await startPair('normal');
    expect((await post(servers[0] as CliServer, [['Action', 'CreateDomain'], ['DomainName', DOMAIN]])).status).toBe(200);
    const perRound: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const before = ledger.acknowledged;
      const plan: RoundPlan = { round, servers, ledger, random, killAt: before + between(random, ACKS.min, ACKS.max) };
      let killed = false;
      const kill = () => {
        if (killed) return;
        killed = true;
        for (const s of plan.servers) s.child.kill('SIGKILL');
      };
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(plan, w, kill)));
      expect(killed).toBe(true);
      await Promise.all(servers.map((s) => stopCli(s, 'SIGKILL')));
      perRound.push(ledger.acknowledged - before);
      servers = await startPair(round % 2 === 0 ? 'full' : 'normal');
      await verify(servers[0] as CliServer, ledger);
    }
    await Promise.all(servers.map((s) => stopCli(s, 'SIGTERM')));
    console.info(
      `crash (seed ${SEED}): ${ledger.acknowledged} writes acknowledged over ${ROUNDS} SIGKILL rounds ` +
        `(${perRound.join(', ')}), 0 lost; ${ledger.unanswered} unanswered at the kills; ${ledger.present.size} items checked at the end`,
    );
  });
});
