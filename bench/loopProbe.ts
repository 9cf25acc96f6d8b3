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
 * (`emulator/core/slices.ts`) longer than 3 ms with the frames that ended it, and the time each
 * slice ended (batches are where slices are). `summary` counts the collections by kind, beside
 * a batch (a slice ended within 30 ms) or not. Timing every turn costs the emulator a little:
 * figures taken with the probe are compared with figures taken with it.
 */
import { writeFileSync } from 'node:fs';
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
  const slices: [start: number, ms: number, frames: string][] = [];
  const sliceEnds: number[] = [];
  const round = (n: number) => Math.round(n * 100) / 100;

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
    proto.yield = function (this: typeof proto) {
      const now = performance.now();
      const start = this.until - this.budgetMs;
      sliceEnds.push(round(now));
      if (now - start > GAP_MS) {
        const frames = (new Error().stack ?? '').split('\n').slice(2, 5).map((f) => f.trim());
        slices.push([round(start), round(now - start), frames.join(' < ')]);
      }
      return yieldTurn.call(this);
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
    writeFileSync(`${out}.${process.pid}.json`, JSON.stringify({ summary, gaps, gcs, slices, sliceEnds }));
  });
}
