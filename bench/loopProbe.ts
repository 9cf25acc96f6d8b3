/**
 * What holds the emulator's event loop while `bench/stall.ts` runs, recorded inside the emulator's
 * child process: loaded with `--import` through NODE_OPTIONS, which the bench's own process also
 * reads (it records nothing there: only a process started as `…/emulator/cli.js` is probed).
 *
 *   npm run build
 *   STALL_PROBE_OUT=/tmp/probe NODE_OPTIONS="--import ./dist/bench/loopProbe.js" node dist/bench/stall.js
 *
 * At exit the emulator writes `<STALL_PROBE_OUT>.<pid>.json`: every gap of more than 3 ms between
 * two runs of a 1 ms timer (the loop was held, or the process was not scheduled) with the CPU time
 * the process spent during it, every garbage
 * collection (`gc` performance entries: start, duration, kind), every slice of a large request
 * (`emulator/core/slices.ts`) longer than 3 ms with the frames that ended it and the CPU time
 * during it (-1 for a request's first slice), and the time each
 * slice ended (batches are where slices are). `summary` counts the collections by kind, beside
 * a batch (a slice ended within 30 ms) or not. Timing every turn costs the emulator a little:
 * figures taken with the probe are compared with figures taken with it.
 *
 * It also times what a large request does outside its slices (`phases`), by wrapping the build's
 * own prototypes: each chunk of a large body the socket hands over (`body chunk`), the commit at
 * the end of `Store.transactionInSlices`, the gate's release, the journal entry
 * (`RequestRecord.close`), each answer written (`ServerResponse.end`), and `tail`: from the
 * commit to the next turn of the loop, which holds all of these plus the waiting requests the
 * release lets run. `gaps` (in `attribution`) sorts every gap of more than 5 ms beside a batch by
 * what overlaps it, first match wins: a wait for a core (CPU time under 60% of the gap), a
 * collection, a long slice, a phase of 1 ms or more, else unattributed.
 */
import { writeFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { constants, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const GAP_MS = 3;
const BESIDE_MS = 30;
const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

type Gc = [start: number, ms: number, kind: string];

const out = process.env['STALL_PROBE_OUT'];
const script = process.argv[1] ?? '';
if (out !== undefined && out !== '' && script.endsWith('/emulator/cli.js')) probe(out, script);

function probe(out: string, script: string): void {
  const gaps: [start: number, ms: number, cpuMs: number][] = [];
  const gcs: Gc[] = [];
  const slices: [start: number, ms: number, frames: string, cpuMs: number][] = [];
  const sliceEnds: number[] = [];
  const phases: [start: number, ms: number, name: string][] = [];
  const round = (n: number) => Math.round(n * 100) / 100;
  const phase = (name: string, start: number) => {
    const ms = performance.now() - start;
    if (ms >= 0.2 || name === 'body chunk') phases.push([round(start), round(ms), name]);
  };
  wrapPhases(script, phase);

  // With each gap, the process's CPU time during it (all its threads): near the gap, the loop was
  // held; far below it, the process was waiting for a core.
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    if (now - last > GAP_MS) {
      const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
      gaps.push([round(last), round(now - last), round(cpuMs)]);
    }
    last = now;
    lastCpu = cpu;
  }, 1).unref();

  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
      gcs.push([round(e.startTime), round(e.duration), KINDS[kind] ?? String(kind)]);
    }
  }).observe({ entryTypes: ['gc'] });

  // The emulator's own Slices class (the build under test, which may be another checkout's).
  const slicesModule = new URL('core/slices.js', pathToFileURL(script)).href;
  void import(slicesModule).then((m: { Slices: { prototype: { yield(): Promise<void>; until: number; budgetMs: number } } }) => {
    const proto = m.Slices.prototype;
    const yieldTurn = proto.yield;
    // The process's CPU time when each slice began, to tell a slice that held the loop from one
    // that waited for a core (the first slice of each request has none).
    const began = new WeakMap<object, NodeJS.CpuUsage>();
    proto.yield = function (this: typeof proto) {
      const now = performance.now();
      const start = this.until - this.budgetMs;
      sliceEnds.push(round(now));
      if (now - start > GAP_MS) {
        const frames = (new Error().stack ?? '').split('\n').slice(2, 5).map((f) => f.trim());
        const cpu = began.get(this);
        const used = cpu ? process.cpuUsage(cpu) : undefined;
        slices.push([round(start), round(now - start), frames.join(' < '), used ? round((used.user + used.system) / 1000) : -1]);
      }
      return yieldTurn.call(this).then(() => void began.set(this, process.cpuUsage()));
    };
  });

  process.on('exit', () => {
    const beside = (t: number) => sliceEnds.some((s) => Math.abs(s - t) < BESIDE_MS);
    const summary: Record<string, { count: number; medianMs: number; maxMs: number; totalMs: number }> = {};
    const groups = new Map<string, number[]>();
    for (const [start, ms, kind] of gcs) {
      const key = `${kind} ${beside(start) ? 'beside a batch' : 'alone'}`;
      groups.set(key, [...(groups.get(key) ?? []), ms]);
    }
    for (const [key, list] of groups) {
      const sorted = [...list].sort((a, b) => a - b);
      summary[key] = {
        count: sorted.length,
        medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
        maxMs: sorted[sorted.length - 1] ?? 0,
        totalMs: round(sorted.reduce((a, b) => a + b, 0)),
      };
    }
    const attribution = attribute(gaps, gcs, slices, phases, beside);
    writeFileSync(`${out}.${process.pid}.json`, JSON.stringify({ summary, attribution, gaps, gcs, slices, phases, sliceEnds }));
  });
}

type Module = Record<string, { prototype: Record<string, unknown> } | undefined>;

/** Times the phases of a large request outside its slices, on the build under test's classes. */
function wrapPhases(script: string, phase: (name: string, start: number) => void): void {
  const load = (path: string) => import(new URL(path, pathToFileURL(script)).href) as Promise<Module>;
  const wrapSync = (proto: Record<string, unknown> | undefined, method: string, name: string) => {
    const original = proto?.[method];
    if (!proto || typeof original !== 'function') return;
    proto[method] = function (this: unknown, ...args: unknown[]) {
      const start = performance.now();
      try {
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        phase(name, start);
      }
    };
  };
  void load('store/store.js').then((m) => {
    const proto = m['Store']?.prototype;
    const original = proto?.['transactionInSlices'];
    if (!proto || typeof original !== 'function') return;
    proto['transactionInSlices'] = function (this: unknown, apply: () => Promise<unknown>) {
      let committing = 0;
      const timed = () =>
        apply().then((out) => {
          committing = performance.now();
          setImmediate(() => phase('tail', committing));
          return out;
        });
      return (original as (a: () => Promise<unknown>) => Promise<unknown>).call(this, timed).finally(() => {
        if (committing > 0) phase('commit', committing);
      });
    };
  });
  void load('http/gate.js').then((m) => wrapSync(m['WriteGate']?.prototype, 'release', 'gate release'));
  void load('sync/request.js').then((m) => wrapSync(m['RequestRecord']?.prototype, 'close', 'journal entry'));
  wrapSync(ServerResponse.prototype as unknown as Record<string, unknown>, 'end', 'answer written');
  // Each chunk the HTTP parser hands a request: only a large body's (64 KiB) are kept.
  const push = IncomingMessage.prototype.push;
  IncomingMessage.prototype.push = function (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding) {
    const start = performance.now();
    const ok = push.call(this, chunk, encoding);
    if (Buffer.isBuffer(chunk) && chunk.length >= 16 * 1024) phase('body chunk', start);
    return ok;
  };
}

type Span = [start: number, ms: number, what: string, ...rest: number[]];

/** Each gap of more than 5 ms beside a batch, by the first thing overlapping it by 1 ms or more. */
function attribute(
  gaps: [start: number, ms: number, cpuMs: number][],
  gcs: Span[],
  slices: Span[],
  phases: Span[],
  beside: (t: number) => boolean,
): Record<string, { count: number; medianMs: number; maxMs: number }> {
  const overlaps = (g: number, gMs: number, [s, ms]: Span) => Math.min(g + gMs, s + ms) - Math.max(g, s) >= 1;
  const groups = new Map<string, number[]>();
  for (const [start, ms, cpuMs] of gaps) {
    if (ms <= 5 || !beside(start)) continue;
    let key = 'unattributed';
    if (cpuMs < 0.6 * ms) key = 'waiting for a core';
    else {
      const gc = gcs.find((s) => overlaps(start, ms, s));
      const slice = slices.find((s) => overlaps(start, ms, s));
      // The longest phase inside the gap names it; body chunks count together.
      const inside = phases.filter((s) => s[2] !== 'tail' && overlaps(start, ms, s)).sort((a, b) => b[1] - a[1])[0];
      const chunks = phases.filter((s) => s[2] === 'body chunk' && s[0] >= start && s[0] <= start + ms).length;
      const tail = phases.find((s) => s[2] === 'tail' && overlaps(start, ms, s));
      if (gc) key = `collection: ${gc[2]}`;
      else if (slice) {
        // Named by the first frame past Slices' own.
        const frame = slice[2].split(' < ').find((f) => !f.includes('Slices.')) ?? '';
        key = `slice: ${frame.replace(/^at (async )?/, '').replace(/ \(.*/, '')}`;
      }
      else if (inside) key = `phase: ${inside[2]}`;
      else if (tail) key = 'phase: tail (commit to next turn)';
      else if (chunks > 0) key = `body chunks (${chunks > 2 ? 'more than 2' : chunks})`;
    }
    groups.set(key, [...(groups.get(key) ?? []), ms]);
  }
  const out: Record<string, { count: number; medianMs: number; maxMs: number }> = {};
  for (const [key, list] of groups) {
    const sorted = [...list].sort((a, b) => a - b);
    out[key] = { count: sorted.length, medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0, maxMs: sorted[sorted.length - 1] ?? 0 };
  }
  return out;
}
