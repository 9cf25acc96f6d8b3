/**
 * What --durability full costs: PutAttributes over HTTP against two emulators on file databases,
 * one per setting, taking turns round after round (so the drift of a shared machine falls on
 * both alike). The ratio full / normal is taken per round; the median and range are reported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnEmulator, type Server } from './children.js';
import { load, post } from './load.js';
import { ms, num, pairedRatio, type Row } from './report.js';
import { median } from './stats.js';
import { createDomainBody, HOT_ITEM, PUT_PAIRS, putAttributesBody } from './workload.js';

export interface DurabilityPlan {
  rounds: number;
  seconds: number;
  connections: number;
}

interface Figures {
  rps: number[];
  p50Ms: number[];
}

export async function durabilityCost(plan: DurabilityPlan): Promise<{ rows: Row[]; raw: Record<string, Figures> }> {
  // BENCH_DB_DIR picks the disk; a RAM-backed temporary directory would make every sync free.
  const dir = mkdtempSync(join(process.env.BENCH_DB_DIR ?? tmpdir(), 'simpledb-local-durability-'));
  const servers: Server[] = [];
  try {
    const settings = ['normal', 'full'] as const;
    for (const d of settings) servers.push(await spawnEmulator(['--db', join(dir, `${d}.db`), '--durability', d]));
    const body = putAttributesBody(HOT_ITEM, PUT_PAIRS);
    const figures: Record<string, Figures> = { normal: { rps: [], p50Ms: [] }, full: { rps: [], p50Ms: [] } };
    for (const s of servers) await post(s.url, createDomainBody());
    for (let round = 0; round < plan.rounds; round++) {
      for (const [k, d] of settings.entries()) {
        const url = servers[k]?.url ?? '';
        const many = await load({ url, body, connections: plan.connections, seconds: plan.seconds });
        const one = await load({ url, body, connections: 1, seconds: plan.seconds });
        if (many.non2xx + many.errors + one.non2xx + one.errors > 0) throw new Error(`durability ${d}: failed requests`);
        figures[d]?.rps.push(many.rps);
        figures[d]?.p50Ms.push(one.p50Ms);
      }
    }
    const { normal, full } = figures as { normal: Figures; full: Figures };
    return {
      raw: figures,
      rows: [
        {
          measurement: `PutAttributes on a file database, --durability full, ${plan.connections} connections`,
          result: `${num(median(full.rps))} req/s`,
          baseline: `--durability normal: ${num(median(normal.rps))} req/s`,
          ratio: pairedRatio(full.rps, normal.rps).text,
        },
        {
          measurement: 'PutAttributes on a file database, --durability full, 1 connection, median latency',
          result: ms(median(full.p50Ms)),
          baseline: `--durability normal: ${ms(median(normal.p50Ms))}`,
          ratio: pairedRatio(full.p50Ms, normal.p50Ms).text,
        },
      ],
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
