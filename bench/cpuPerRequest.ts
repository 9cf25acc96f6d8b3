/**
 * Server CPU time per request, this build against another, taking turns: the before/after figure
 * for a change to the request path that a shared 2-core machine moves least. Throughput at 32
 * connections swings by a third from run to run here (the load generator shares the cores with
 * the server), while the CPU a server spends per answered request barely moves. Each run sends a
 * fixed number of requests (after as many to warm up) to a fresh emulator child process and reads
 * its CPU time from /proc around them.
 *
 * `node dist/bench/cpuPerRequest.js <other build>/dist/emulator/cli.js [requests] [rounds]`
 * (Linux only: /proc).
 */
import autocannon from 'autocannon';
import { CLI, cpuMicros, spawnEmulator } from './children.js';
import { post } from './load.js';
import { markdownTable, pairedRatio, type Row } from './report.js';
import { median } from './stats.js';
import { createDomainBody, getAttributesBody, HOT_ITEM, PUT_PAIRS, putAttributesBody } from './workload.js';

const CONNECTIONS = 32;

function send(url: string, body: string, amount: number): Promise<number> {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, connections: CONNECTIONS, amount },
      (err: Error | null, r: autocannon.Result) => {
        if (err) reject(err);
        else if (r.non2xx > 0 || r.errors > 0) reject(new Error(`${r.non2xx} non-2xx answers, ${r.errors} errors`));
        else resolve(r['2xx']);
      },
    );
  });
}

/** Microseconds of server CPU per request for `body`, one fresh emulator. */
async function perRequest(cli: string, body: string, requests: number): Promise<number> {
  const server = await spawnEmulator([], cli);
  try {
    await post(server.url, createDomainBody());
    await post(server.url, putAttributesBody(HOT_ITEM, PUT_PAIRS));
    await send(server.url, body, requests);
    const before = cpuMicros(server.pid);
    const answered = await send(server.url, body, requests);
    const after = cpuMicros(server.pid);
    if (before === undefined || after === undefined) throw new Error('no /proc here: CPU time per process is read from /proc');
    return (after - before) / answered;
  } finally {
    await server.stop();
  }
}

export async function cpuPerRequest(other: string, requests: number, rounds: number): Promise<Row[]> {
  const bodies = { GetAttributes: getAttributesBody(), PutAttributes: putAttributesBody(HOT_ITEM, PUT_PAIRS) };
  const rows: Row[] = [];
  for (const [action, body] of Object.entries(bodies)) {
    const now: number[] = [];
    const then: number[] = [];
    for (let round = 0; round < rounds; round++) {
      now.push(await perRequest(CLI, body, requests));
      then.push(await perRequest(other, body, requests));
    }
    rows.push({
      measurement: `${action}, server CPU per request, ${requests.toLocaleString('en-US')} requests at ${CONNECTIONS} connections`,
      result: `${median(now).toFixed(1)} µs (${now.map((x) => x.toFixed(0)).join(', ')})`,
      baseline: `other build: ${median(then).toFixed(1)} µs (${then.map((x) => x.toFixed(0)).join(', ')})`,
      ratio: pairedRatio(now, then).text,
    });
  }
  return rows;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const [other, requests, rounds] = process.argv.slice(2);
  if (!other) {
    console.error('usage: node dist/bench/cpuPerRequest.js <other build>/dist/emulator/cli.js [requests] [rounds]');
    process.exit(2);
  }
  console.log(markdownTable(await cpuPerRequest(other, Number(requests ?? 20_000), Number(rounds ?? 5))));
}
