/**
 * `npm run bench`: every benchmark in one run, each figure beside a baseline measured
 * in the same run. Prints a Markdown table and writes the raw figures to bench/results/.
 *
 * Fairness: every HTTP server (the two floors and the emulator) is a child process started
 * the same way; autocannon runs here, so the load generator and the server each have a core of
 * a 2-core machine. In-process figures (storage floor, SQL floor, rendering) are taken while no
 * load runs. BENCH_QUICK=1 shortens everything for a smoke run; BENCH_ONLY=requests stops after
 * the request rows; BENCH_BEFORE=<git ref> adds that commit's emulator to the request benchmarks
 * (bench/before.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeBenchmark } from './analyze.js';
import { buildBefore, type BeforeBuild } from './before.js';
import { cpuMicros, FLOOR_SERVER, residentBytes, spawnEmulator, spawnServer, type Server } from './children.js';
import { consoleFirstPage } from './console.js';
import { counterContention, type Contention } from './contention.js';
import { dataBenchmarks } from './data.js';
import { exploreOverhead } from './explore.js';
import { durabilityCost } from './durability.js';
import type { InProcessStart } from './inProcessStart.js';
import { load, medianMs, opsPerSecond, post, type HttpRun } from './load.js';
import { markdownTable, ms, num, pairedRatio, ratio, verdict, type Row } from './report.js';
import { median } from './stats.js';
import { StorageFloor } from './storageFloor.js';
import { stallBenchmark } from './stall.js';
import { storageBenchmark } from './storage.js';
import {
  BATCH_ITEMS,
  batchPutBody,
  createDomainBody,
  DOMAIN,
  domainMetadataBody,
  getAttributesBody,
  HOT_ITEM,
  itemRange,
  PAIRS_PER_ITEM,
  PUT_PAIRS,
  putAttributesBody,
  SELECT_SHAPES,
  selectBody,
  type SelectShape,
} from './workload.js';
import { compareRendering } from './xmlRender.js';
import { compareFormParsing } from './formParse.js';
import { Store } from '../emulator/store/store.js';

const QUICK = process.env.BENCH_QUICK === '1';
/** Per autocannon run; request benchmarks take ROUNDS turns per contender (see interleave). */
const SECONDS = { round: QUICK ? 0.5 : 1.5, latency: QUICK ? 1 : 3, contention: QUICK ? 1 : 5, warmup: QUICK ? 0.5 : 1 };
const ROUNDS = QUICK ? 2 : 5;
const MICRO_MS = QUICK ? 200 : 1000;
const SMALL_ITEMS = 1000;
const LARGE_ITEMS = QUICK ? 10_000 : 100_000;
const CONNECTIONS = 32;
const COUNTER_WORKERS = 8;
const COLD_STARTS = QUICK ? 3 : 7;

const TARGET = {
  getVsExpress: 0.95,
  putVsExpress: 0.8,
  bulkPairsPerSecond: 100_000,
  coldStartMs: 400,
  inProcessStartMs: 30,
  residentMb: 400,
  selectVsSql: 3,
  selectMs: 10,
};

const rows: Row[] = [];
const raw: Record<string, unknown> = {};
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// ---------------------------------------------------------------- HTTP throughput and latency

/** One server answering one request body. */
interface Contender {
  label: string;
  url: string;
  body: string;
  /** The server's process, whose CPU time per request is read around each throughput run. */
  pid: number;
}

/** Per contender, one run per round. */
interface Runs {
  throughput: HttpRun[];
  latency: HttpRun[];
  /** Server CPU microseconds per answered request, per throughput run (absent off Linux). */
  cpuPerRequest: number[];
}

/**
 * Contenders take turns, round after round, at 32 connections and then at one: on a shared
 * machine the load of others drifts, and turns spread that drift over every contender alike.
 * Ratios are taken within a round and the median of the rounds is reported with its range.
 */
async function interleave(contenders: readonly Contender[]): Promise<Map<string, Runs>> {
  const runs = new Map(contenders.map((c) => [c.label, { throughput: [], latency: [], cpuPerRequest: [] } as Runs]));
  for (const c of contenders) await load({ url: c.url, body: c.body, connections: CONNECTIONS, seconds: SECONDS.warmup });
  for (let round = 0; round < ROUNDS; round++) {
    for (const [key, connections] of [['throughput', CONNECTIONS], ['latency', 1]] as const) {
      for (const c of contenders) {
        const cpuBefore = cpuMicros(c.pid);
        const run = await load({ url: c.url, body: c.body, connections, seconds: SECONDS.round });
        const cpuAfter = cpuMicros(c.pid);
        if (run.non2xx > 0 || run.errors > 0) throw new Error(`${c.label}: ${run.non2xx} non-2xx answers, ${run.errors} errors`);
        const r = runsOf(runs, c.label);
        r[key].push(run);
        if (key === 'throughput' && cpuBefore !== undefined && cpuAfter !== undefined && run.responses > 0) {
          r.cpuPerRequest.push((cpuAfter - cpuBefore) / run.responses);
        }
      }
    }
  }
  for (const [label, r] of runs) {
    progress(`${label}: ${num(median(r.throughput.map((x) => x.rps)))} req/s at ${CONNECTIONS}, p50 ${ms(median(r.latency.map((x) => x.p50Ms)))} at 1`);
    raw[label] = r;
  }
  return runs;
}

function runsOf(runs: Map<string, Runs>, label: string): Runs {
  const r = runs.get(label);
  if (!r) throw new Error(`no runs for ${label}`);
  return r;
}

function throughputRow(runs: Map<string, Runs>, name: string, floorName: string, target?: number): Row {
  const a = runsOf(runs, name).throughput.map((x) => x.rps);
  const b = runsOf(runs, floorName).throughput.map((x) => x.rps);
  const r = pairedRatio(a, b);
  return {
    measurement: `${name}, ${CONNECTIONS} connections`,
    result: `${num(median(a))} req/s`,
    baseline: `${floorName}: ${num(median(b))} req/s`,
    ratio: r.text,
    ...(target === undefined ? {} : { target: `≥ ${ratio(target)}`, verdict: verdict(r.median, target, 'min') }),
  };
}

/** Server CPU per request: the figure a shared machine moves least (see cpuMicros). */
function cpuRow(runs: Map<string, Runs>, name: string, baseName: string): Row[] {
  const a = runsOf(runs, name).cpuPerRequest;
  const b = runsOf(runs, baseName).cpuPerRequest;
  if (a.length === 0 || a.length !== b.length) return [];
  return [
    {
      measurement: `${name}, server CPU per request at ${CONNECTIONS} connections`,
      result: `${median(a).toFixed(0)} µs`,
      baseline: `${baseName}: ${median(b).toFixed(0)} µs`,
      ratio: pairedRatio(a, b).text,
    },
  ];
}

function latencyRow(runs: Map<string, Runs>, name: string, floorName: string): Row {
  const a = runsOf(runs, name).latency.map((x) => x.p50Ms);
  const b = runsOf(runs, floorName).latency.map((x) => x.p50Ms);
  return {
    measurement: `${name}, 1 connection, median latency`,
    result: ms(median(a)),
    baseline: `${floorName}: ${ms(median(b))}`,
    ratio: pairedRatio(a, b).text,
  };
}

async function withServers<T>(starts: readonly Promise<Server>[], fn: (servers: Server[]) => Promise<T>): Promise<T> {
  const settled = await Promise.allSettled(starts);
  const servers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    return await fn(servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

async function withServer<T>(start: Promise<Server>, fn: (server: Server) => Promise<T>): Promise<T> {
  return withServers([start], ([server]) => (server ? fn(server) : Promise.reject(new Error('no server'))));
}

const HTTP_FLOOR = 'HTTP floor';
const EXPRESS_FLOOR = 'Express floor';

/** The items every request benchmark reads, in an emulator (this one, or BENCH_BEFORE's). */
async function seed(emulator: Server, getBody: string): Promise<void> {
  await post(emulator.url, createDomainBody());
  for (let i = 0; i < SMALL_ITEMS; i += BATCH_ITEMS) await post(emulator.url, batchPutBody(itemRange(i, BATCH_ITEMS), false));
  // The emulator must answer what the floors answer: the same ten attributes.
  const sample = await post(emulator.url, getBody);
  if ((sample.match(/<Attribute>/g) ?? []).length !== PAIRS_PER_ITEM) throw new Error(`GetAttributes: ${sample}`);
}

async function requestBenchmarks(before: BeforeBuild | undefined): Promise<void> {
  const getBody = getAttributesBody();
  const putBody = putAttributesBody(HOT_ITEM, PUT_PAIRS);
  const batch = itemRange(SMALL_ITEMS, BATCH_ITEMS).map((item) => ({ ...item, name: `batch-${item.name}` }));
  const starts = [
    spawnServer(FLOOR_SERVER, ['http', String(SMALL_ITEMS)]),
    spawnServer(FLOOR_SERVER, ['express', String(SMALL_ITEMS)]),
    spawnEmulator(),
    ...(before ? [spawnEmulator([], before.cli)] : []),
  ];
  const getBefore = `GetAttributes before (${before?.commit ?? ''})`;
  const putBefore = `PutAttributes before (${before?.commit ?? ''})`;
  await withServers(starts, async ([httpFloor, expressFloor, emulator, previous]) => {
    if (!httpFloor || !expressFloor || !emulator || (before && !previous)) throw new Error('a server did not start');
    for (const e of [emulator, previous]) if (e) await seed(e, getBody);

    const get = await interleave([
      { label: HTTP_FLOOR, url: httpFloor.url, pid: httpFloor.pid, body: getBody },
      { label: `${EXPRESS_FLOOR} GetAttributes`, url: expressFloor.url, pid: expressFloor.pid, body: getBody },
      ...(previous ? [{ label: getBefore, url: previous.url, pid: previous.pid, body: getBody }] : []),
      { label: 'GetAttributes', url: emulator.url, pid: emulator.pid, body: getBody },
    ]);
    rows.push(
      throughputRow(get, 'GetAttributes', `${EXPRESS_FLOOR} GetAttributes`, TARGET.getVsExpress),
      throughputRow(get, 'GetAttributes', HTTP_FLOOR),
      ...(previous
        ? [
            throughputRow(get, getBefore, `${EXPRESS_FLOOR} GetAttributes`),
            throughputRow(get, getBefore, HTTP_FLOOR),
            throughputRow(get, 'GetAttributes', getBefore),
          ]
        : []),
      throughputRow(get, `${EXPRESS_FLOOR} GetAttributes`, HTTP_FLOOR),
      ...cpuRow(get, 'GetAttributes', `${EXPRESS_FLOOR} GetAttributes`),
      ...(previous ? cpuRow(get, 'GetAttributes', getBefore) : []),
      latencyRow(get, 'GetAttributes', `${EXPRESS_FLOOR} GetAttributes`),
      ...(previous ? [latencyRow(get, getBefore, `${EXPRESS_FLOOR} GetAttributes`)] : []),
      latencyRow(get, `${EXPRESS_FLOOR} GetAttributes`, HTTP_FLOOR),
    );

    const put = await interleave([
      { label: `${EXPRESS_FLOOR} PutAttributes`, url: expressFloor.url, pid: expressFloor.pid, body: putBody },
      ...(previous ? [{ label: putBefore, url: previous.url, pid: previous.pid, body: putBody }] : []),
      { label: 'PutAttributes', url: emulator.url, pid: emulator.pid, body: putBody },
      {
        label: 'Conditional PutAttributes',
        url: emulator.url,
        pid: emulator.pid,
        body: putAttributesBody(HOT_ITEM, PUT_PAIRS, { name: 'version', value: 'v1' }),
      },
    ]);
    rows.push(
      throughputRow(put, 'PutAttributes', `${EXPRESS_FLOOR} PutAttributes`, TARGET.putVsExpress),
      ...(previous ? [throughputRow(put, putBefore, `${EXPRESS_FLOOR} PutAttributes`), throughputRow(put, 'PutAttributes', putBefore)] : []),
      ...cpuRow(put, 'PutAttributes', `${EXPRESS_FLOOR} PutAttributes`),
      ...(previous ? cpuRow(put, 'PutAttributes', putBefore) : []),
      latencyRow(put, 'PutAttributes', `${EXPRESS_FLOOR} PutAttributes`),
      throughputRow(put, 'Conditional PutAttributes', 'PutAttributes'),
      latencyRow(put, 'Conditional PutAttributes', 'PutAttributes'),
    );

    const batchRuns = runsOf(
      await interleave([{ label: 'BatchPutAttributes', url: emulator.url, pid: emulator.pid, body: batchPutBody(batch, true) }]),
      'BatchPutAttributes',
    );
    const pairs = BATCH_ITEMS * PAIRS_PER_ITEM;
    const rate = median(batchRuns.throughput.map((x) => x.rps)) * pairs;
    const storage = storageBatchRate(batch);
    rows.push({
      measurement: `BatchPutAttributes (${BATCH_ITEMS} items × ${PAIRS_PER_ITEM} attributes, Replace), ${CONNECTIONS} connections`,
      result: `${num(rate)} pairs/s`,
      baseline: `storage floor: ${num(storage)} pairs/s`,
      ratio: ratio(rate / storage),
    });
  });
}

// ---------------------------------------------------------------- in-process floors

function storageBatchRate(batch: ReturnType<typeof itemRange>): number {
  const storage = new StorageFloor();
  try {
    return opsPerSecond(() => storage.batchPut(DOMAIN, batch, true), MICRO_MS) * batch.length * PAIRS_PER_ITEM;
  } finally {
    storage.close();
  }
}

function storageFloor(): void {
  const storage = new StorageFloor();
  const store = new Store();
  try {
    for (let i = 0; i < SMALL_ITEMS; i += BATCH_ITEMS) storage.batchPut(DOMAIN, itemRange(i, BATCH_ITEMS), false);
    const get = opsPerSecond(() => storage.get(DOMAIN, HOT_ITEM), MICRO_MS);
    const put = opsPerSecond(() => storage.put(DOMAIN, HOT_ITEM, PUT_PAIRS), MICRO_MS);
    // The emulator's own store answering the same read: its domain lookup and GetAttributes.
    const domainId = store.transaction(() => {
      const id = store.createDomain('', DOMAIN, 0);
      for (const item of itemRange(0, SMALL_ITEMS)) store.putAttributes(id, item.name, item.pairs.map((p) => ({ ...p, replace: false })));
      return id;
    });
    if (store.getAttributes(domainId, HOT_ITEM).length !== PAIRS_PER_ITEM) throw new Error('Store.getAttributes: wrong pairs');
    const storeGet = opsPerSecond(() => store.getAttributes(store.domainId('', DOMAIN) ?? domainId, HOT_ITEM), MICRO_MS);
    raw.storageFloor = { getPerSecond: get, putPerSecond: put, storeGetPerSecond: storeGet };
    rows.push(
      { measurement: 'Storage floor: GetAttributes statements, in-process', result: `${num(get)} ops/s` },
      {
        measurement: "The emulator's Store: domain id and GetAttributes, in-process",
        result: `${num(storeGet)} ops/s`,
        baseline: `storage floor: ${num(get)} ops/s`,
        ratio: ratio(storeGet / get),
      },
      { measurement: 'Storage floor: PutAttributes transaction, in-process', result: `${num(put)} ops/s` },
    );
  } finally {
    storage.close();
    store.close();
  }
}

function rendering(): void {
  const comparisons = compareRendering(MICRO_MS);
  raw.rendering = comparisons;
  for (const c of comparisons) {
    rows.push({
      measurement: `XML rendering, ${c.document}: templates vs XMLBuilder`,
      result: `${num(c.templateOps)} docs/s`,
      baseline: `XMLBuilder: ${num(c.builderOps)} docs/s`,
      ratio: ratio(c.ratio),
    });
  }
  const forms = compareFormParsing(MICRO_MS);
  raw.formParsing = forms;
  for (const f of forms) {
    rows.push({
      measurement: `Form parsing, ${f.body}: parseForm vs URLSearchParams`,
      result: `${num(f.parseFormOps)} bodies/s`,
      baseline: `URLSearchParams: ${num(f.urlSearchParamsOps)} bodies/s`,
      ratio: ratio(f.ratio),
    });
  }
}

// ---------------------------------------------------------------- start-up

async function startup(): Promise<void> {
  const cold: number[] = [];
  for (let k = 0; k < COLD_STARTS; k++) {
    const t = performance.now();
    await withServer(spawnEmulator(), async (s) => {
      const res = await fetch(`${s.url}/_simpledb/health`);
      if (res.status !== 200) throw new Error(`health answered ${res.status}`);
      cold.push(performance.now() - t);
    });
  }
  const coldMs = median(cold);
  const script = fileURLToPath(new URL('./inProcessStart.js', import.meta.url));
  const inProcess = JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' })) as InProcessStart;
  raw.startup = { coldStartsMs: cold, inProcess };
  rows.push(
    {
      measurement: `CLI cold start: spawn \`node dist/emulator/cli.js --port 0\` to first 200 (median of ${COLD_STARTS})`,
      result: ms(coldMs),
      target: `≤ ${TARGET.coldStartMs} ms`,
      verdict: verdict(coldMs, TARGET.coldStartMs, 'max'),
    },
    {
      measurement: `In-process startEmulator() (median of ${inProcess.runs - 1} after the first)`,
      result: ms(inProcess.startMs),
      baseline: `first start: ${ms(inProcess.firstStartMs)}; module import: ${ms(inProcess.importMs)}`,
      target: `≤ ${TARGET.inProcessStartMs} ms`,
      verdict: verdict(inProcess.startMs, TARGET.inProcessStartMs, 'max'),
    },
    { measurement: 'In-process close() (median)', result: ms(inProcess.closeMs) },
    {
      measurement: `In-process startEmulator() to the first answered ListDomains, the cost of an emulator per test file or per Jest worker (median of ${inProcess.runs})`,
      result: ms(inProcess.startToFirstAnswerMs),
    },
  );
}

// ---------------------------------------------------------------- counter contention

async function contention(): Promise<void> {
  const result: Contention = await withServer(spawnEmulator(), async (s) => {
    await post(s.url, createDomainBody());
    return counterContention(s.url, COUNTER_WORKERS, SECONDS.contention);
  });
  raw.contention = result;
  progress(`contention: ${num(result.incrementsPerSecond)} increments/s, ${result.conflicts} conflicts`);
  rows.push({
    measurement: `Counter contention, ${result.workers} workers (${result.method})`,
    result: `${num(result.incrementsPerSecond)} increments/s; ${num(result.conflicts)} conflicts`,
    baseline: `final value ${result.finalValue} for ${result.increments} increments`,
    target: 'final value exact',
    verdict: result.exact ? 'pass' : 'miss',
  });
}

// ---------------------------------------------------------------- bulk load, memory, Select

interface SelectFigures {
  shape: SelectShape['id'];
  available: boolean;
  error?: string;
  httpMedianMs?: number;
  sqlMedianMs: number;
  answersMatch?: boolean;
}

/** Item names in the order answered; count(*) answers its count. */
function selectAnswer(xml: string): string[] {
  const count = /<Name>Count<\/Name><Value>(\d+)<\/Value>/.exec(xml)?.[1];
  if (count !== undefined) return [count];
  return [...xml.matchAll(/<Item><Name>([^<]*)<\/Name>/g)].map((m) => m[1] ?? '');
}

function floorAnswer(shape: SelectShape, result: unknown[]): string[] {
  if (shape.id === 'c') return [String((result[0] as { n: number }).n)];
  return [...new Set((result as { item: string }[]).map((r) => r.item))];
}

/** Same items; order matters only where the expression orders. */
function sameAnswer(shape: SelectShape, http: string[], sql: string[]): boolean {
  const ordered = shape.expression.includes('order by');
  const a = ordered ? http : [...http].sort();
  const b = ordered ? sql : [...sql].sort();
  return a.length === b.length && a.every((v, k) => v === b[k]);
}

async function selectShape(server: Server, floor: StorageFloor, shape: SelectShape): Promise<SelectFigures> {
  const run = floor.prepareSelect(shape);
  const sqlMedianMs = medianMs(run, MICRO_MS);
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: selectBody(shape.expression),
  });
  const xml = await res.text();
  if (res.status !== 200) {
    return { shape: shape.id, available: false, error: /<Code>([^<]*)<\/Code>/.exec(xml)?.[1] ?? String(res.status), sqlMedianMs };
  }
  const answersMatch = sameAnswer(shape, selectAnswer(xml), floorAnswer(shape, run()));
  const latency = await load({ url: server.url, body: selectBody(shape.expression), connections: 1, seconds: SECONDS.latency });
  return { shape: shape.id, available: true, httpMedianMs: latency.p50Ms, sqlMedianMs, answersMatch };
}

function selectRow(shape: SelectShape, f: SelectFigures): Row {
  const measurement = `Select (${shape.id}) ${shape.label}, ${num(LARGE_ITEMS)} items, median`;
  const baseline = `SQL floor: ${ms(f.sqlMedianMs)}`;
  const target = shape.targeted ? `≤ ${TARGET.selectVsSql}× and < ${TARGET.selectMs} ms` : undefined;
  if (!f.available || f.httpMedianMs === undefined) {
    return { measurement, result: `not available (${f.error ?? 'error'})`, baseline, ...(target ? { target } : {}) };
  }
  const r = f.httpMedianMs / f.sqlMedianMs;
  const misses = [
    ...(r > TARGET.selectVsSql ? [`ratio ${verdict(r, TARGET.selectVsSql, 'max')}`] : []),
    ...(f.httpMedianMs >= TARGET.selectMs ? [`time ${verdict(f.httpMedianMs, TARGET.selectMs, 'max')}`] : []),
  ];
  return {
    measurement,
    result: `${ms(f.httpMedianMs)}${f.answersMatch ? '' : ' (answer differs from the SQL floor)'}`,
    baseline,
    ratio: ratio(r),
    ...(target ? { target, verdict: misses.length === 0 ? 'pass' : misses.join('; ') } : {}),
  };
}

async function bulkMemorySelect(): Promise<void> {
  const batches = LARGE_ITEMS / BATCH_ITEMS;
  const pairs = LARGE_ITEMS * PAIRS_PER_ITEM;
  await withServer(spawnEmulator(), async (s) => {
    await post(s.url, createDomainBody());
    const idleRss = residentBytes(s.pid);
    // Bodies are built before the clock starts: building them costs the load generator about
    // as much CPU as parsing them costs the emulator, and it would be measured as the emulator's.
    const bodies = Array.from({ length: batches }, (_, k) => batchPutBody(itemRange(BATCH_ITEMS * k, BATCH_ITEMS), false));
    let next = 0;
    const t = performance.now();
    await load({
      url: s.url,
      connections: CONNECTIONS,
      seconds: 600,
      amount: batches,
      nextBody: () => bodies[next++ % batches] ?? '',
    });
    const loadSeconds = (performance.now() - t) / 1000;
    const metadata = await post(s.url, domainMetadataBody());
    const stored = Number(/<AttributeValueCount>(\d+)</.exec(metadata)?.[1]);
    if (stored !== pairs) throw new Error(`bulk load stored ${stored} pairs, not ${pairs}`);
    const loadedRss = residentBytes(s.pid);
    const rate = pairs / loadSeconds;
    progress(`bulk load: ${num(rate)} pairs/s; RSS ${num((loadedRss ?? 0) / 2 ** 20)} MB`);

    const floor = new StorageFloor();
    try {
      const f = performance.now();
      for (let i = 0; i < LARGE_ITEMS; i += BATCH_ITEMS) floor.batchPut(DOMAIN, itemRange(i, BATCH_ITEMS), false);
      const floorRate = pairs / ((performance.now() - f) / 1000);
      rows.push({
        measurement: `Bulk load: ${num(pairs)} pairs by BatchPutAttributes over HTTP, ${CONNECTIONS} connections`,
        result: `${num(rate)} pairs/s`,
        baseline: `storage floor: ${num(floorRate)} pairs/s`,
        ratio: ratio(rate / floorRate),
        target: `≥ ${num(TARGET.bulkPairsPerSecond)} pairs/s`,
        verdict: verdict(rate, TARGET.bulkPairsPerSecond, 'min'),
      });
      const mb = (loadedRss ?? Number.NaN) / 2 ** 20;
      rows.push({
        measurement: `Resident memory of the emulator with ${num(LARGE_ITEMS)} items × ${PAIRS_PER_ITEM} attributes in memory`,
        result: loadedRss === undefined ? 'not measured (no /proc)' : `${num(mb)} MB`,
        baseline: idleRss === undefined ? '' : `idle: ${num(idleRss / 2 ** 20)} MB`,
        target: `≤ ${TARGET.residentMb} MB`,
        verdict: loadedRss === undefined ? '' : verdict(mb, TARGET.residentMb, 'max'),
      });
      raw.bulkLoad = { pairs, loadSeconds, pairsPerSecond: rate, storageFloorPairsPerSecond: floorRate, idleRss, loadedRss };

      const selects: SelectFigures[] = [];
      for (const shape of SELECT_SHAPES) {
        const figures = await selectShape(s, floor, shape);
        selects.push(figures);
        rows.push(selectRow(shape, figures));
      }
      raw.select = selects;
    } finally {
      floor.close();
    }
  });
}

// ---------------------------------------------------------------- main

function machine(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    totalMemoryGb: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

const started = new Date();
const loadBefore = os.loadavg();
progress(`${QUICK ? 'quick' : 'full'} run; load average before: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
const beforeRef = process.env.BENCH_BEFORE;
const before = beforeRef ? buildBefore(beforeRef, fileURLToPath(new URL('../../', import.meta.url))) : undefined;
if (before) progress(`BENCH_BEFORE=${beforeRef}: ${before.commit} built in ${path.dirname(path.dirname(path.dirname(before.cli)))}`);
rendering();
storageFloor();
try {
  await requestBenchmarks(before);
} finally {
  before?.remove();
}
// BENCH_ONLY=requests: the request rows alone (before/after a change to the request path, in minutes).
if (process.env.BENCH_ONLY !== 'requests') {
  await contention();
  await startup();
  await durabilityCost({ rounds: ROUNDS, seconds: SECONDS.round, connections: CONNECTIONS }).then((d) => (rows.push(...d.rows), (raw.durability = d.raw)));
  await bulkMemorySelect();
  const data = await dataBenchmarks({ items: LARGE_ITEMS, httpPairsPerSecond: (raw.bulkLoad as { pairsPerSecond: number }).pairsPerSecond, snapshotItems: 5000, rounds: QUICK ? 3 : 9 });
  rows.push(...data.rows);
  raw.data = data.raw;
  const analyzedRaw: Record<string, unknown> = {};
  for (const requests of QUICK ? [100_000] : [100_000, 1_000_000]) {
    const analyzed = await analyzeBenchmark(requests);
    rows.push(...analyzed.rows);
    analyzedRaw[String(requests)] = analyzed.raw;
  }
  // Clients that open a connection per request: a connection per request for the analysis to fold away.
  const oneShot = QUICK ? 100_000 : 1_000_000;
  const perRequest = await analyzeBenchmark(oneShot, 3, 'connection per request');
  rows.push(...perRequest.rows);
  analyzedRaw[`${oneShot} connection per request`] = perRequest.raw;
  raw.analyze = analyzedRaw;
  rows.push(...(await consoleFirstPage(LARGE_ITEMS)));
  const explored = await exploreOverhead(QUICK ? 3 : 9);
  rows.push(...explored.rows);
  raw.explore = explored.raw;
  const storage = storageBenchmark(QUICK ? 10_000_000 : 50_000_000);
  rows.push(...storage.rows);
  raw.storage = storage.raw;
  const stallRun = { rounds: QUICK ? 2 : 5, batchesPerRound: QUICK ? 1 : 3, aloneMs: QUICK ? 500 : 2000 };
  const stall = await stallBenchmark(stallRun);
  rows.push(...stall.rows);
  raw.stall = stall.raw;
  for (const server of ['http', 'paced'] as const) {
    const floor = await stallBenchmark({ ...stallRun, server });
    rows.push(...floor.rows);
    raw[`stallFloor-${server}`] = floor.raw;
  }
}
const loadAfter = os.loadavg();
const elapsed = (Date.now() - started.getTime()) / 1000;

const table = markdownTable(rows);
const env = machine();
console.log(table);
console.log(
  `\n${env.cpus} × ${String(env.cpuModel)}, ${String(env.totalMemoryGb)} GB, Node ${process.version}; ${num(elapsed)} s; ` +
    `load average (1 min) ${loadBefore[0]?.toFixed(2)} before, ${loadAfter[0]?.toFixed(2)} after` +
    `${QUICK ? '; BENCH_QUICK=1 (shortened)' : ''}${before ? `; before = ${before.commit} (BENCH_BEFORE=${beforeRef})` : ''}.`,
);
const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const file = `${dir}bench-${started.toISOString().replaceAll(':', '-')}.json`;
writeFileSync(
  file,
  JSON.stringify({ started, elapsedSeconds: elapsed, quick: QUICK, before: before?.commit ?? null, machine: env, loadBefore, loadAfter, rows, raw }, null, 2),
);
progress(`wrote ${file}`);
