/**
 * Whether one large request stalls the others: the p99 latency of small GetAttributes requests
 * sent one after another on one keep-alive connection, alone and while a second connection sends
 * BatchPutAttributes of 25 items × 256 attributes × 1,000-byte values (a 6.8 MB body, inside the
 * 8 MB cap) back to back, against one emulator child process. Both phases take turns for
 * `rounds` rounds, so the load of a shared machine falls on both alike; the ratio is taken per
 * round and the median is reported with the range.
 */
import { Agent, request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FLOOR_SERVER, spawnEmulator, spawnServer } from './children.js';
import { post } from './load.js';
import { ms, pairedRatio, verdict, type Row } from './report.js';
import { median, percentile } from './stats.js';
import { createDomainBody, DOMAIN, getAttributesBody, HOT_ITEM, putAttributesBody, PUT_PAIRS } from './workload.js';

const TARGET = 5;

/**
 * Encoded before the round starts: turning a 6.8 MB string into bytes takes this process tens of
 * milliseconds, during which it would time the small requests' answers late (the emulator's
 * stalls are what is measured, not the load generator's).
 */
function batchBody(round: number, n: number): Buffer {
  const params = new URLSearchParams({ Action: 'BatchPutAttributes', DomainName: DOMAIN, Version: '2009-04-15' });
  for (let i = 0; i < 25; i++) {
    params.append(`Item.${i}.ItemName`, `stall-${round}-${n}-${i}`);
    for (let a = 0; a < 256; a++) {
      params.append(`Item.${i}.Attribute.${a}.Name`, `attr${a}`);
      params.append(`Item.${i}.Attribute.${a}.Value`, `${round}:${n}:${i}:${a}:`.padEnd(1000, 'v'));
    }
  }
  return Buffer.from(params.toString());
}

/**
 * A full collection of this process's heap. Encoding a round's bodies leaves tens of megabytes
 * of young garbage; without this, this process's next scavenges (6–30 ms, `--trace-gc`) fell in
 * the timed part and were counted as the emulator's stalls.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** One POST on `agent`; resolves with its latency in ms. */
function timedPost(url: string, agent: Agent, body: string | Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      `${url}/`,
      { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`status ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Which server the harness measures: the emulator, or a floor (bench/floorServer.ts) that answers
 * every request with a fixed document and only reads the body, as Node hands it over (`http`) or
 * as the emulator reads a large one (`paced`). The floors show what the transfer of 6.8 MB costs
 * the small requests on this machine before any work is done with it.
 */
export type StallServer = 'emulator' | 'http' | 'paced';

const LABELS: Record<StallServer, string> = {
  emulator: 'GetAttributes p99, one connection, beside back-to-back 6.8 MB BatchPutAttributes (25 × 256 × 1,000 B) on another',
  http: 'Floor: the same beside the same batches, against node:http that reads each body as Node hands it over and answers a fixed document',
  paced: 'Floor: the same, against node:http that reads each body as the emulator reads a large one (a chunk or two at a time, resting while others are answered)',
};

export async function stallBenchmark(o: {
  rounds: number;
  batchesPerRound: number;
  aloneMs: number;
  /** Another build's emulator/cli.js, for a before/after of a change in the same conditions. */
  cli?: string;
  server?: StallServer;
}): Promise<{ rows: Row[]; raw: unknown }> {
  const kind = o.server ?? 'emulator';
  const server = kind === 'emulator' ? await spawnEmulator([], o.cli) : await spawnServer(FLOOR_SERVER, [kind]);
  const small = new Agent({ keepAlive: true, maxSockets: 1 });
  const large = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await post(server.url, createDomainBody());
    await post(server.url, putAttributesBody(HOT_ITEM, PUT_PAIRS));
    const get = getAttributesBody();
    const stream = async (until: () => boolean): Promise<number[]> => {
      const out: number[] = [];
      while (!until()) out.push(await timedPost(server.url, small, get));
      return out;
    };
    const figures = { aloneP99: [] as number[], besideP99: [] as number[], batchMs: [] as number[] };
    for (let round = 0; round < o.rounds; round++) {
      const end = performance.now() + o.aloneMs;
      figures.aloneP99.push(percentile(await stream(() => performance.now() >= end), 0.99));
      const bodies = Array.from({ length: o.batchesPerRound }, (_, n) => batchBody(round, n));
      collectGarbage();
      let done = false;
      const beside = stream(() => done);
      for (const body of bodies) figures.batchMs.push(await timedPost(server.url, large, body));
      done = true;
      figures.besideP99.push(percentile(await beside, 0.99));
    }
    const r = pairedRatio(figures.besideP99, figures.aloneP99);
    const p99: Row = {
      measurement: LABELS[kind],
      result: ms(median(figures.besideP99)),
      baseline: `alone: ${ms(median(figures.aloneP99))}`,
      ratio: r.text,
      ...(kind === 'emulator' ? { target: `≤ ${TARGET}×`, verdict: verdict(r.median, TARGET, 'max') } : {}),
    };
    const batch: Row = { measurement: 'BatchPutAttributes of 6.8 MB (25 × 256 × 1,000 B), median latency', result: ms(median(figures.batchMs)) };
    return { raw: figures, rows: kind === 'emulator' ? [p99, batch] : [p99] };
  } finally {
    small.destroy();
    large.destroy();
    await server.stop();
  }
}

// Alone: `node dist/bench/stall.js [other build's emulator/cli.js | http | paced]` prints the rows.
if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { markdownTable } = await import('./report.js');
  const arg = process.argv[2];
  const floor = arg === 'http' || arg === 'paced' ? arg : undefined;
  const rows = (await stallBenchmark({ rounds: 5, batchesPerRound: 3, aloneMs: 2000, ...(floor ? { server: floor } : { cli: arg }) })).rows;
  console.log(markdownTable(rows));
}
