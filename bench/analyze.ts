/**
 * The sync-bug detector on a journal of 1,000,000 requests, against reading the same
 * file: its bytes alone, and its bytes plus JSON.parse of every line (what any reader of the file
 * pays). The journal is synthetic but shaped like the emulator's: 50 clients on 2,000 items, a
 * few hot; reads (some stale), unconditional and conditional puts (some failing), a lost response
 * now and then; reads record what they returned, as the emulator's do. Run alone with
 * `node --expose-gc dist/bench/analyze.js [requests...]` (100,000 and 1,000,000 by default; with
 * --expose-gc it also measures the heap retained after a collection).
 */
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Analyzer } from '../emulator/sync/analyze/index.js';
import { readJournal } from '../emulator/sync/analyze/file.js';
import { seededRandom } from '../emulator/sync/random.js';
import { num, ratio, type Row } from './report.js';
import { median } from './stats.js';

const CLIENTS = 50;
const ITEMS = 2000;
const HOT = 20;

/** Writes the journal as the emulator's --journal file would hold it; returns its size in bytes. */
export function writeSyntheticJournal(path: string, requests: number): number {
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
      const tail = `"latencyMs":0.5,"userAgent":"bench-client/1.0","order":${seq},"connection":${client + 1},"client":"c${client}","keyHash":null}`;
      let line: string;
      if (pending[client] !== undefined) {
        const stale = rnd() < 0.2 && lastWrite[item] === writeSeq && writeSeq > 0;
        const asOf = stale ? writeSeq - 1 : writeSeq;
        // What the read returned, as the journal records it: the value before the last write when stale.
        const shown = (values[item] ?? 0) - (stale ? 1 : 0);
        const returned = `"returned":{"items":[{"name":"i${item}","attributes":{"n":["${shown}"]}}]}`;
        const read = `"read":{"consistentRead":false,"stale":${stale},"asOfSeq":${asOf},"latestSeq":${writeSeq},"behindWrites":${writeSeq - asOf},"lagMs":10,${returned}}`;
        line = `${head},"action":"GetAttributes","domain":"d","items":["i${item}"],"params":{"Action":"GetAttributes","Version":"2009-04-15","DomainName":"d","ItemName":"i${item}","ConsistentRead":"false"},"status":200,"code":"Success",${tail.replace('"order"', `"atSeq":${writeSeq},${read},"applied":true,"order"`)}`;
      } else {
        const conditional = rnd() < 0.5;
        const fails = conditional && rnd() < 0.3;
        const value = fails ? values[item] ?? 0 : (values[item] = (values[item] ?? 0) + 1);
        const expected = conditional ? `,"Expected.1.Name":"n","Expected.1.Value":"${value - 1}"` : '';
        const lost = !fails && rnd() < 0.002 ? `"faults":[{"rule":"f1","effect":"loseResponse:reset"}],` : '';
        const outcome = fails ? `"status":409,"code":"ConditionalCheckFailed"` : lost ? `"status":0,"code":"ConnectionReset"` : `"status":200,"code":"Success"`;
        const seqs = fails ? `"atSeq":${writeSeq},"applied":false,` : `"atSeq":${writeSeq},"writeSeq":${(lastWrite[item] = ++writeSeq)},"applied":true,`;
        line = `${head},"action":"PutAttributes","domain":"d","items":["i${item}"],"params":{"Action":"PutAttributes","Version":"2009-04-15","DomainName":"d","ItemName":"i${item}","Attribute.1.Name":"n","Attribute.1.Value":"${value}","Attribute.1.Replace":"true"${expected}},${outcome},${tail.replace('"order"', `${seqs}${lost}"order"`)}`;
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
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>) {
    for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++;
  }
  return lines;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

export interface AnalyzeFigures {
  rows: Row[];
  raw: Record<string, unknown>;
}

/** CPU time (user + system) of this process, in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The collector, when node runs with --expose-gc: the heap it leaves is what is retained. */
const collect = (globalThis as { gc?: () => void }).gc;

/**
 * Three interleaved rounds of: read bytes, read and parse, read, parse and analyse; then, with
 * --expose-gc, one more round of the last two measuring the heap retained after a collection.
 */
export async function analyzeBenchmark(requests: number, rounds = 3): Promise<AnalyzeFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'sdb-bench-analyze-'));
  try {
    const file = join(dir, 'journal.ndjson');
    const bytes = writeSyntheticJournal(file, requests);
    const read: number[] = [];
    const parse: number[] = [];
    const analyse: number[] = [];
    const parseCpu: number[] = [];
    const analyseCpu: number[] = [];
    let findings: Record<string, number> = {};
    // Peak heap, sampled every 10,000 entries and at the end: the floor's is what parsing holds at once.
    let parseHeapMb = 0;
    let heapMb = 0;
    let retainedOps = 0;
    const heap = () => process.memoryUsage().heapUsed / 2 ** 20;
    const analyseOnce = async (every: number, sample: (analyzer: Analyzer) => void) => {
      const analyzer = new Analyzer();
      let k = 0;
      await readJournal(file, (e) => {
        analyzer.add(e);
        if (++k % every === 0) sample(analyzer);
      });
      sample(analyzer);
      return analyzer.finish();
    };
    for (let round = 0; round < rounds; round++) {
      // With --expose-gc, each phase starts from a collected heap and its CPU time includes the
      // collection of all it left: otherwise the collector's threads (counted in this process's CPU
      // time) clear a phase's garbage during the next, and the floor of each round after the first
      // pays for the analysis before it.
      collect?.();
      read.push((await timed(() => readBytes(file))).ms);
      let n = 0;
      collect?.();
      let cpu = cpuMs();
      parse.push(
        (
          await timed(() =>
            readJournal(file, () => {
              if (++n % 10_000 === 0) parseHeapMb = Math.max(parseHeapMb, heap());
            }),
          )
        ).ms,
      );
      collect?.();
      parseCpu.push(cpuMs() - cpu);
      cpu = cpuMs();
      const a = await timed(() =>
        analyseOnce(10_000, (analyzer) => {
          heapMb = Math.max(heapMb, heap());
          retainedOps = Math.max(retainedOps, analyzer.retained());
        }),
      );
      collect?.();
      analyseCpu.push(cpuMs() - cpu);
      analyse.push(a.ms);
      findings = { ...a.value.summary };
    }
    // Retained: the heap left by a full collection every 100,000 entries, the largest seen.
    let parseRetainedMb: number | undefined;
    let retainedMb: number | undefined;
    if (collect) {
      let n = 0;
      let most = 0;
      await readJournal(file, () => {
        if (++n % 100_000 === 0) {
          collect();
          most = Math.max(most, heap());
        }
      });
      parseRetainedMb = most;
      most = 0;
      await analyseOnce(100_000, () => {
        collect();
        most = Math.max(most, heap());
      });
      retainedMb = most;
    }
    const per = (ms: number) => `${num((ms * 1000) / requests, 2)} µs/request`;
    const m = { read: median(read), parse: median(parse), analyse: median(analyse), parseCpu: median(parseCpu), analyseCpu: median(analyseCpu) };
    const rows: Row[] = [
      {
        measurement: `analyze: a journal of ${num(requests)} requests (${num(bytes / 2 ** 20)} MB), read + parse + analyse`,
        result: `${num(m.analyse)} ms (${per(m.analyse)})`,
        baseline: `read + JSON.parse each line: ${num(m.parse)} ms`,
        ratio: ratio(m.analyse / m.parse),
      },
      {
        measurement: 'analyze, against reading the bytes alone',
        result: `${num(m.analyse)} ms`,
        baseline: `read the file: ${num(m.read)} ms`,
        ratio: ratio(m.analyse / m.read),
      },
      {
        measurement: `analyze of ${num(requests)} requests: CPU time (user + system)`,
        result: `${num(m.analyseCpu)} ms`,
        baseline: `read + JSON.parse each line: ${num(m.parseCpu)} ms`,
        ratio: ratio(m.analyseCpu / m.parseCpu),
      },
      {
        measurement: `analyze of ${num(requests)} requests: peak heap (garbage included), most operations held ${num(retainedOps)}`,
        result: `${num(heapMb)} MB`,
        baseline: `read + JSON.parse each line: ${num(parseHeapMb)} MB`,
        ratio: ratio(heapMb / parseHeapMb),
      },
      ...(retainedMb === undefined || parseRetainedMb === undefined
        ? []
        : [
            {
              measurement: `analyze of ${num(requests)} requests: heap retained after a full collection (the largest, every 100,000 entries)`,
              result: `${num(retainedMb)} MB`,
              baseline: `read + JSON.parse each line: ${num(parseRetainedMb)} MB`,
              ratio: ratio(retainedMb / parseRetainedMb),
            },
          ]),
    ];
    return {
      rows,
      raw: { requests, bytes, readMs: read, parseMs: parse, analyseMs: analyse, parseCpuMs: parseCpu, analyseCpuMs: analyseCpu, heapMb, parseHeapMb, retainedOps, retainedMb, parseRetainedMb, findings },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `node dist/bench/analyze.js [requests...]`: by default the two sizes the docs quote.
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [100_000, 1_000_000];
  for (const requests of sizes) console.log(JSON.stringify(await analyzeBenchmark(requests), null, 2));
}
