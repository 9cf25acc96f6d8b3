/**
 * Bytes stored per byte of data: a domain of 100 B, 1 kB and mixed values (10 B to 1,024 B)
 * written through the emulator's Store, at today's page size and at SQLite's default 4 KiB (the
 * layout before; `StoreOptions.pageSize`), in the same run. Each case runs in a child process of
 * its own (`node dist/bench/storage.js PAGE SHAPE KIND`), so its resident set holds nothing else:
 * RSS is read before the store opens and after the writes, with a garbage collection before
 * each; the file is the database plus its WAL after a checkpoint. Data bytes are names plus
 * values, as the service counts them against a domain's 10 GB.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAGE_SIZE, Store } from '../emulator/store/store.js';
import { num, ratio, type Row } from './report.js';

const SHAPES = { '100 B': [100], '1 kB': [1024], 'mixed (10 B–1 kB)': [10, 100, 500, 1024] } as const;
type Shape = keyof typeof SHAPES;
const ATTRS = 8;
const BEFORE_PAGE_SIZE = 4096;

interface Figures {
  dataBytes: number;
  rssBytes: number;
  fileBytes?: number;
}

/** In the child: fill one domain of about `dataBytes`, and report. */
function fill(pageSize: number, shape: Shape, kind: 'memory' | 'file', dataTarget: number): Figures {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rss0 = process.memoryUsage().rss;
  const dir = kind === 'file' ? mkdtempSync(join(process.env.BENCH_DB_DIR ?? tmpdir(), 'simpledb-storage-')) : undefined;
  const store = new Store(dir === undefined ? ':memory:' : join(dir, 'store.db'), 'normal', { pageSize });
  try {
    const domain = store.createDomain('', 'bench', 0);
    const sizes = SHAPES[shape];
    let data = 0;
    let i = 0;
    while (data < dataTarget) {
      store.transaction(() => {
        for (let k = 0; k < 100; k++, i++) {
          const item = `item${String(i).padStart(7, '0')}`;
          const pairs = Array.from({ length: ATTRS }, (_, a) => {
            const bytes = sizes[(i + a) % sizes.length] ?? 100;
            const name = `attribute${a}`;
            data += name.length + bytes;
            return { name, value: `${item}:${a}:`.padEnd(bytes, 'v').slice(0, bytes), replace: false };
          });
          store.putAttributes(domain, item, pairs);
        }
      });
    }
    gc?.();
    const rssBytes = process.memoryUsage().rss - rss0;
    let fileBytes: number | undefined;
    if (dir !== undefined) {
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      fileBytes = statSync(join(dir, 'store.db')).size;
    }
    return { dataBytes: data, rssBytes, fileBytes };
  } finally {
    store.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

function child(pageSize: number, shape: Shape, kind: 'memory' | 'file', dataBytes: number): Figures {
  const script = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, ['--expose-gc', script, String(pageSize), shape, kind, String(dataBytes)], { encoding: 'utf8' });
  return JSON.parse(out) as Figures;
}

/** Rows: RSS and file bytes per data byte, today's page size beside the 4 KiB layout, per shape. */
export function storageBenchmark(dataBytes: number): { rows: Row[]; raw: Record<string, { now: Figures; before: Figures }> } {
  const rows: Row[] = [];
  const raw: Record<string, { now: Figures; before: Figures }> = {};
  for (const shape of Object.keys(SHAPES) as Shape[]) {
    for (const kind of ['memory', 'file'] as const) {
      const now = child(PAGE_SIZE, shape, kind, dataBytes);
      const before = child(BEFORE_PAGE_SIZE, shape, kind, dataBytes);
      raw[`${shape} ${kind}`] = { now, before };
      const per = (f: Figures) => (kind === 'memory' ? f.rssBytes : (f.fileBytes ?? Number.NaN)) / f.dataBytes;
      const what = kind === 'memory' ? 'RSS (in-memory database)' : 'file (database after checkpoint)';
      rows.push({
        measurement: `Storage, ${shape} values, ${num(now.dataBytes / 1e6, 0)} MB of data: ${what} bytes per data byte`,
        result: `${ratio(per(now))} (${PAGE_SIZE / 1024} KiB pages)`,
        baseline: `${ratio(per(before))} (${BEFORE_PAGE_SIZE / 1024} KiB pages, the layout before)`,
        ratio: ratio(per(now) / per(before)),
        target: shape === '1 kB' ? '≤ 3×' : '',
        verdict: shape === '1 kB' ? (per(now) <= 3 ? 'pass' : 'miss') : '',
      });
    }
  }
  return { rows, raw };
}

// As a child: `node storage.js PAGE SHAPE KIND DATA_BYTES` prints one case's figures.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [page, shape, kind, data] = process.argv.slice(2);
  if (page !== undefined && shape !== undefined && (kind === 'memory' || kind === 'file') && shape in SHAPES) {
    process.stdout.write(JSON.stringify(fill(Number(page), shape as Shape, kind, Number(data))));
  } else if (page === undefined) {
    // Alone: the rows as a table (`node dist/bench/storage.js`).
    const { markdownTable } = await import('./report.js');
    console.log(markdownTable(storageBenchmark(Number(process.env.BENCH_STORAGE_BYTES ?? 50_000_000)).rows));
  }
}
