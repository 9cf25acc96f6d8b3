/**
 * The sync-bug detector on a journal of 1,000,000 requests, against reading the same
 * file: its bytes alone, and its bytes plus JSON.parse of every line (what any reader of the file
 * pays). The journal is synthetic but shaped like the emulator's: 50 clients on 2,000 items, a
 * few hot; reads (some stale), unconditional and conditional puts (some failing), a lost response
 * now and then; reads record what they returned, and every entry its fields as the emulator's do
 * (test/analyze/benchJournal.test.ts holds it to that). Each phase runs in a
 * process of its own, so that neither inherits the other's heap (V8 sizes a heap by what it held
 * before: a floor run after an analysis in one process peaked at four times its own heap). Run
 * alone with `node dist/bench/analyze.js [--connection-per-request] [requests...]` (100,000 and
 * 1,000,000 by default); the flag gives the journal of unnamed clients opening a connection per request.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readRequest } from '../emulator/actions/readers.js';
import { Params } from '../emulator/core/params.js';
import { Analyzer } from '../emulator/sync/analyze/index.js';
import { READ_CHUNK, readJournal } from '../emulator/sync/analyze/file.js';
import { seededRandom } from '../emulator/sync/random.js';
import { num, pairedRatio, ratio, type Row } from './report.js';
import { median } from './stats.js';

const CLIENTS = 50;
const ITEMS = 2000;
const HOT = 20;

/** The parameters, and the request as its action reads them, as the journal ends each entry with them. */
function asRecorded(params: Record<string, string>): string {
  return `,"params":${JSON.stringify(params)},"request":${JSON.stringify(readRequest(new Params(Object.entries(params))) ?? null)}`;
}

/**
 * How the journal's clients reach the emulator: named (X-SimpleDB-Client) over keep-alive
 * connections, or unnamed with a connection per request, as aws-sdk v2 sends them (then every
 * request brings a connection the analysis must fold into its User-Agent's client).
 */
export type JournalShape = 'keep-alive' | 'connection per request';

/** Writes the journal as the emulator's --journal file would hold it; returns its size in bytes. */
export function writeSyntheticJournal(path: string, requests: number, shape: JournalShape = 'keep-alive'): number {
  // Seeded, so every run analyses the same journal.
  const rnd = seededRandom(17);
  const fd = openSync(path, 'w');
  const values = new Array<number>(ITEMS).fill(0);
  const lastWrite = new Array<number>(ITEMS).fill(0);
  let writeSeq = 0;
  let buffer = '';
  try {
    // Each client reads an item, then writes it: read-modify-write, interleaved with the others.
    const pending = new Array<number | undefined>(CLIENTS).fill(undefined);
    for (let seq = 1; seq <= requests; seq++) {
      const client = Math.floor(rnd() * CLIENTS);
      const item = pending[client] ?? (rnd() < 0.5 ? Math.floor(rnd() * HOT) : Math.floor(rnd() * ITEMS));
      pending[client] = pending[client] === undefined ? item : undefined;
      const head = `{"seq":${seq},"time":"2026-01-01T00:00:00.000Z","requestId":"r${seq}","method":"POST"`;
      const who = shape === 'keep-alive' ? `"connection":${client + 1},"client":"c${client}"` : `"connection":${seq},"client":null`;
      const tail = `"latencyMs":0.5,"userAgent":"bench-client/1.0","order":${seq},${who},"keyHash":null`;
      let line: string;
      if (pending[client] !== undefined) {
        const stale = rnd() < 0.2 && lastWrite[item] === writeSeq && writeSeq > 0;
        const asOf = stale ? writeSeq - 1 : writeSeq;
        // What the read returned, as the journal records it: the value before the last write when stale.
        const shown = (values[item] ?? 0) - (stale ? 1 : 0);
        const returned = `"returned":{"items":[{"name":"i${item}","attributes":{"n":["${shown}"]}}]}`;
        const read = `"read":{"consistentRead":false,"stale":${stale},"asOfSeq":${asOf},"latestSeq":${writeSeq},"behindWrites":${writeSeq - asOf},"lagMs":10,${returned}}`;
        const params = { Action: 'GetAttributes', Version: '2009-04-15', DomainName: 'd', ItemName: `i${item}`, ConsistentRead: 'false' };
        line = `${head},"action":"GetAttributes","domain":"d","items":["i${item}"],"status":200,"code":"Success",${tail.replace('"order"', `"atSeq":${writeSeq},${read},"applied":true,"order"`)}${asRecorded(params)}}`;
      } else {
        const conditional = rnd() < 0.5;
        const fails = conditional && rnd() < 0.3;
        const value = fails ? values[item] ?? 0 : (values[item] = (values[item] ?? 0) + 1);
        const params: Record<string, string> = { Action: 'PutAttributes', Version: '2009-04-15', DomainName: 'd', ItemName: `i${item}`, 'Attribute.1.Name': 'n', 'Attribute.1.Value': `${value}`, 'Attribute.1.Replace': 'true' };
        if (conditional) Object.assign(params, { 'Expected.1.Name': 'n', 'Expected.1.Value': `${value - 1}` });
        const lost = !fails && rnd() < 0.002 ? `"faults":[{"rule":"f1","effect":"loseResponse:reset"}],` : '';
        const outcome = fails ? `"status":409,"code":"ConditionalCheckFailed"` : lost ? `"status":0,"code":"ConnectionReset"` : `"status":200,"code":"Success"`;
        const seqs = fails ? `"atSeq":${writeSeq},"applied":false,` : `"atSeq":${writeSeq},"writeSeq":${(lastWrite[item] = ++writeSeq)},"applied":true,`;
        line = `${head},"action":"PutAttributes","domain":"d","items":["i${item}"],${outcome},${tail.replace('"order"', `${seqs}${lost}"order"`)}${asRecorded(params)}}`;
      }
      buffer += line + '\n';
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = '';
      }
    }
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
  return statSync(path).size;
}

async function readBytes(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: READ_CHUNK }) as AsyncIterable<string>) {
    for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++;
  }
  return lines;
}

export interface AnalyzeFigures {
  rows: Row[];
  raw: Record<string, unknown>;
}

type Phase = 'bytes' | 'floor' | 'analyse';

/** What one phase's process reports. */
interface PhaseResult {
  /** CPU time (user + system, the collector's threads included) from the phase's start to its end. */
  cpuMs: number;
  wallMs: number;
  /** The process's peak resident memory (node's own included), over its whole life: for the analysis, building the report too. */
  peakRssMb: number;
  /** The largest resident memory sampled every 10,000 entries: for the analysis, before the report is built. */
  streamRssMb: number;
  /** The largest `heapUsed` sampled every 10,000 entries (garbage not yet collected included). */
  peakHeapMb: number;
  /** With `retained`: the largest heap left by a full collection every 100,000 entries. */
  retainedMb?: number;
  retainedOps?: number;
  findings?: Record<string, number>;
}

const mb = (bytes: number) => bytes / 2 ** 20;

/** One phase, in this process (the child's side): `retained` collects every 100,000 entries instead of timing. */
async function runPhase(phase: Phase, file: string, retained: boolean): Promise<PhaseResult> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (retained && !collect) throw new Error('the retained heap needs --expose-gc');
  let peakHeap = 0;
  let streamRss = 0;
  let retainedMb = 0;
  let retainedOps = 0;
  let n = 0;
  const analyzer = phase === 'analyse' ? new Analyzer() : undefined;
  const sample = () => {
    if (retained) {
      collect?.();
      retainedMb = Math.max(retainedMb, mb(process.memoryUsage().heapUsed));
      retainedOps = Math.max(retainedOps, analyzer?.retained() ?? 0);
    } else {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, mb(m.heapUsed));
      streamRss = Math.max(streamRss, mb(m.rss));
    }
  };
  const every = retained ? 100_000 : 10_000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let findings: Record<string, number> | undefined;
  if (phase === 'bytes') await readBytes(file);
  else {
    // The floor reads and parses alone; the analysis also takes each entry, then builds its report.
    await readJournal(file, (e) => {
      analyzer?.add(e);
      if (++n % every === 0) sample();
    });
    sample();
    if (analyzer) findings = { ...analyzer.finish().summary };
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    // maxRSS is in kilobytes.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    streamRssMb: streamRss,
    peakHeapMb: peakHeap,
    ...(retained ? { retainedMb, retainedOps } : {}),
    ...(findings ? { findings } : {}),
  };
}

const SELF = fileURLToPath(import.meta.url);

/** One phase in a fresh node process: nothing else in its heap, nothing of it left in this one's. */
function inChild(phase: Phase, file: string, retained = false): PhaseResult {
  const r = spawnSync(process.execPath, [...(retained ? ['--expose-gc'] : []), SELF, '--phase', phase, file, ...(retained ? ['--retained'] : [])], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`bench phase ${phase} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as PhaseResult;
}

/**
 * Three rounds of: read the bytes, read and parse every line, read, parse and analyse; each in
 * its own process. Then one more process of each of the last two, collecting the heap every
 * 100,000 entries: what is retained.
 */
export async function analyzeBenchmark(requests: number, rounds = 3, shape: JournalShape = 'keep-alive'): Promise<AnalyzeFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'sdb-bench-analyze-'));
  try {
    const file = join(dir, 'journal.ndjson');
    const bytes = writeSyntheticJournal(file, requests, shape);
    const what = shape === 'keep-alive' ? 'analyze' : 'analyze (unnamed clients, a connection per request)';
    const read: PhaseResult[] = [];
    const floor: PhaseResult[] = [];
    const analysis: PhaseResult[] = [];
    for (let round = 0; round < rounds; round++) {
      read.push(inChild('bytes', file));
      floor.push(inChild('floor', file));
      analysis.push(inChild('analyse', file));
    }
    const floorKept = inChild('floor', file, true);
    const analysisKept = inChild('analyse', file, true);
    const med = (list: PhaseResult[], key: 'cpuMs' | 'wallMs' | 'peakRssMb' | 'streamRssMb' | 'peakHeapMb') => median(list.map((r) => r[key]));
    const a = { wall: med(analysis, 'wallMs'), cpu: med(analysis, 'cpuMs'), rss: med(analysis, 'peakRssMb'), stream: med(analysis, 'streamRssMb'), heap: med(analysis, 'peakHeapMb') };
    const f = { wall: med(floor, 'wallMs'), cpu: med(floor, 'cpuMs'), rss: med(floor, 'peakRssMb'), heap: med(floor, 'peakHeapMb') };
    // The analysis against the floor of the same round (they run one after the other): a ratio of
    // two medians taken minutes apart moved by half a unit between runs of the same code.
    const paired = (key: 'cpuMs' | 'wallMs' | 'peakRssMb' | 'streamRssMb') =>
      pairedRatio(analysis.map((x) => x[key]), floor.map((x) => x[key === 'streamRssMb' ? 'peakRssMb' : key])).text;
    const per = (ms: number) => `${num((ms * 1000) / requests, 2)} µs/request`;
    const parse = 'read + JSON.parse each line';
    const rows: Row[] = [
      {
        measurement: `${what}: a journal of ${num(requests)} requests (${num(bytes / 2 ** 20)} MB), read + parse + analyse, wall time`,
        result: `${num(a.wall)} ms (${per(a.wall)})`,
        baseline: `${parse}: ${num(f.wall)} ms`,
        ratio: paired('wallMs'),
      },
      {
        measurement: `${what}, against reading the bytes alone`,
        result: `${num(a.wall)} ms`,
        baseline: `read the file: ${num(med(read, 'wallMs'))} ms`,
        ratio: ratio(a.wall / med(read, 'wallMs')),
      },
      {
        measurement: `${what} of ${num(requests)} requests: CPU time (user + system)`,
        result: `${num(a.cpu)} ms`,
        baseline: `${parse}: ${num(f.cpu)} ms`,
        ratio: paired('cpuMs'),
      },
      {
        measurement: `${what} of ${num(requests)} requests: peak resident memory of the process, the report built (${num(analysis[0]?.findings?.anomalies ?? 0)} anomalies)`,
        result: `${num(a.rss)} MB`,
        baseline: `${parse}: ${num(f.rss)} MB`,
        ratio: paired('peakRssMb'),
      },
      {
        measurement: `${what} of ${num(requests)} requests: peak resident memory while the journal streams (before the report)`,
        result: `${num(a.stream)} MB`,
        baseline: `${parse}: ${num(f.rss)} MB`,
        ratio: paired('streamRssMb'),
      },
      {
        measurement: `${what} of ${num(requests)} requests: peak heap (garbage included), most operations held ${num(analysisKept.retainedOps ?? 0)}`,
        result: `${num(a.heap)} MB`,
        baseline: `${parse}: ${num(f.heap)} MB`,
        ratio: ratio(a.heap / f.heap),
      },
      {
        measurement: `${what} of ${num(requests)} requests: heap retained after a full collection (the largest, every 100,000 entries)`,
        result: `${num(analysisKept.retainedMb ?? 0)} MB`,
        baseline: `${parse}: ${num(floorKept.retainedMb ?? 0)} MB`,
        ratio: ratio((analysisKept.retainedMb ?? 0) / (floorKept.retainedMb ?? 1)),
      },
    ];
    return { rows, raw: { requests, shape, bytes, read, floor, analysis, floorKept, analysisKept } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--phase');
  if (at >= 0) {
    // A phase's process (inChild): its figures, one JSON line.
    const phase = process.argv[at + 1] as Phase;
    const file = process.argv[at + 2] as string;
    process.stdout.write(JSON.stringify(await runPhase(phase, file, process.argv.includes('--retained'))) + '\n');
  } else {
    // `node dist/bench/analyze.js [--connection-per-request] [requests...]`: by default the two sizes the docs quote.
    const args = process.argv.slice(2);
    const shape: JournalShape = args.includes('--connection-per-request') ? 'connection per request' : 'keep-alive';
    const sizes = args.filter((a) => !a.startsWith('--')).map(Number);
    for (const requests of sizes.length > 0 ? sizes : [100_000, 1_000_000]) console.log(JSON.stringify(await analyzeBenchmark(requests, 3, shape), null, 2));
  }
}
