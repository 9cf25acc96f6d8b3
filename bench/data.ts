/**
 * Data in and out: import and export of a million pairs through the CLI, each as a
 * ratio to the bulk load over HTTP that run.ts measured in the same run, and the snapshot
 * options timed on one store (table copies, chosen; VACUUM INTO; the backup API).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { domainLine, itemLine, sortPairs } from '../emulator/data/format.js';
import { SnapshotTables } from '../emulator/store/snapshots.js';
import { Store } from '../emulator/store/store.js';
import { CLI } from './children.js';
import { num, ratio, verdict, type Row } from './report.js';
import { median } from './stats.js';
import { benchItem, DOMAIN, PAIRS_PER_ITEM } from './workload.js';

const run = promisify(execFile);

export interface DataBenchOptions {
  /** Items of the import/export file (10 pairs each). */
  items: number;
  /** Pairs per second of the bulk load over HTTP in this run: the baseline. */
  httpPairsPerSecond: number;
  /** Items in the store the snapshot options are timed on. */
  snapshotItems: number;
  rounds: number;
}

async function seconds(args: readonly string[]): Promise<number> {
  const t = performance.now();
  await run(process.execPath, [CLI, ...args], { maxBuffer: 1 << 20 });
  return (performance.now() - t) / 1000;
}

function fileRows(o: DataBenchOptions, dir: string): Promise<{ rows: Row[]; raw: Record<string, number> }> {
  const file = join(dir, 'in.ndjson');
  let text = domainLine(DOMAIN);
  for (let i = 0; i < o.items; i++) {
    const item = benchItem(i);
    text += itemLine(DOMAIN, item.name, sortPairs(item.pairs));
  }
  writeFileSync(file, text);
  const pairs = o.items * PAIRS_PER_ITEM;
  return (async () => {
    const importS = await seconds(['import', '--db', join(dir, 'bench.db'), file]);
    const exportS = await seconds(['export', '--db', join(dir, 'bench.db'), '--out', join(dir, 'out.ndjson')]);
    if (readFileSync(join(dir, 'out.ndjson'), 'utf8') !== text) throw new Error('export did not give back the imported bytes');
    const row = (what: string, s: number): Row => {
      const rate = pairs / s;
      return {
        measurement: `${what} ${num(pairs)} pairs (${num(statSync(file).size / 2 ** 20)} MB NDJSON), CLI process included`,
        result: `${num(rate)} pairs/s`,
        baseline: `bulk load over HTTP: ${num(o.httpPairsPerSecond)} pairs/s`,
        ratio: ratio(rate / o.httpPairsPerSecond),
        target: '≥ 1.00×',
        verdict: verdict(rate / o.httpPairsPerSecond, 1, 'min'),
      };
    };
    return {
      rows: [row('Import: NDJSON file → new database file,', importS), row('Export: database file → NDJSON file,', exportS)],
      raw: { pairs, importSeconds: importS, exportSeconds: exportS },
    };
  })();
}

function fill(store: Store, items: number): void {
  store.transaction(() => {
    const id = store.createDomain('', DOMAIN, 0);
    for (let i = 0; i < items; i++) {
      const item = benchItem(i);
      store.putAttributes(id, item.name, item.pairs.map((p) => ({ ...p, replace: false })));
    }
  });
}

function medianMs(rounds: number, fn: () => void): number {
  const times: number[] = [];
  for (let k = 0; k < rounds; k++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Capture and restore by each option, on a store of `items` items; the table copies are what snapshots use. */
async function snapshotOptions(o: DataBenchOptions, dir: string, path: string): Promise<Record<string, number>> {
  const store = new Store(path);
  try {
    fill(store, o.snapshotItems);
    const tables = new SnapshotTables(store);
    let snap = 0;
    const tableCapture = medianMs(o.rounds, () => {
      if (snap > 0) tables.drop(snap);
      tables.capture(++snap);
    });
    const tableRestore = medianMs(o.rounds, () => tables.restore(snap));

    const copy = join(dir, 'vacuum.db');
    const vacuumCapture = medianMs(o.rounds, () => {
      rmSync(copy, { force: true });
      store.db.prepare('VACUUM INTO ?').run(copy);
    });
    // Restoring from a file copy: attach it and copy the tables back, as the table restore does.
    store.db.prepare("ATTACH DATABASE ? AS copy").run(copy);
    const vacuumRestore = medianMs(o.rounds, () =>
      store.transaction(() => {
        store.db.exec(`DELETE FROM main.attrs; DELETE FROM main.items; DELETE FROM main.domains;
          INSERT INTO main.domains SELECT * FROM copy.domains; INSERT INTO main.items SELECT * FROM copy.items;
          INSERT INTO main.attrs SELECT * FROM copy.attrs;`);
      }),
    );
    store.db.prepare('DETACH DATABASE copy').run();

    const backups: number[] = [];
    for (let k = 0; k < o.rounds; k++) {
      const t = performance.now();
      await store.db.backup(join(dir, 'backup.db'));
      backups.push(performance.now() - t);
    }
    return { tableCapture, tableRestore, vacuumCapture, vacuumRestore, backupCapture: median(backups) };
  } finally {
    store.close();
  }
}

export async function dataBenchmarks(o: DataBenchOptions): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const dir = mkdtempSync(join(tmpdir(), 'simpledb-bench-data-'));
  try {
    const files = await fileRows(o, dir);
    const memory = await snapshotOptions(o, dir, ':memory:');
    const file = await snapshotOptions(o, dir, join(dir, 'snap.db'));
    const rows = [...files.rows];
    const ms = (n: number) => `${num(n, n < 10 ? 1 : 0)} ms`;
    for (const [label, f] of [['in memory', memory], ['file', file]] as const) {
      const pairs = num(o.snapshotItems * PAIRS_PER_ITEM);
      rows.push({
        measurement: `Snapshot of ${num(o.snapshotItems)} items (${pairs} pairs), ${label}: capture / restore by table copies (used)`,
        result: `${ms(f.tableCapture ?? NaN)} / ${ms(f.tableRestore ?? NaN)}`,
        baseline: `VACUUM INTO ${ms(f.vacuumCapture ?? NaN)} / attach+copy ${ms(f.vacuumRestore ?? NaN)}; backup API ${ms(f.backupCapture ?? NaN)} / —`,
        ratio: ratio((f.tableRestore ?? NaN) / (f.vacuumRestore ?? NaN)),
      });
    }
    return { rows, raw: { ...files.raw, snapshotItems: o.snapshotItems, snapshotMemory: memory, snapshotFile: file } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
