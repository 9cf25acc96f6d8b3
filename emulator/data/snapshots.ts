import { ControlError } from '../core/input.js';
import { SnapshotTables } from '../store/snapshots.js';
import type { Store } from '../store/store.js';
import { snapshotFileText, writeFileAtomically, type SnapshotFileCounts } from './snapshotFile.js';

export interface SnapshotInfo {
  name: string;
  /** ISO-8601 time of capture. */
  createdAt: string;
  domains: number;
  items: number;
  pairs: number;
  /** Milliseconds the last capture or restore of it took. */
  tookMs: number;
}

/** `emu.control`'s snapshot methods (docs/data.md). */
export interface SnapshotControl {
  /** Captures the whole store; a name already taken is captured anew. Default name: the first free snapshot-N. */
  snapshot(name?: string): SnapshotInfo;
  /** Makes the store exactly as it was at `snapshot(name)`. */
  restore(name: string): SnapshotInfo;
  snapshots(): SnapshotInfo[];
  /** False when there was no such snapshot. */
  dropSnapshot(name: string): boolean;
  /**
   * The text of a snapshot file (docs/data.md, "Snapshot files") of snapshot `name`, or of the
   * store as it is now when no name is given.
   */
  snapshotFile(name?: string): string;
  /** Writes `snapshotFile(name)` to `path` (atomically: a temporary file renamed over it). */
  saveSnapshot(path: string, name?: string): Promise<SavedSnapshot>;
}

/** What `saveSnapshot` wrote. */
export interface SavedSnapshot extends SnapshotFileCounts {
  path: string;
  name?: string;
  bytes: number;
}

/** A caller's mistake with its HTTP status on the control routes. */
export class SnapshotError extends ControlError {
  override readonly name = 'SnapshotError';
}

/** Names travel in URL paths, so they keep to characters that need no escaping there. */
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export function createSnapshots(store: Store, now: () => number = Date.now): SnapshotControl {
  const tables = new SnapshotTables(store);
  const taken = new Map<string, { snap: number; info: SnapshotInfo }>();
  let lastSnap = 0;
  const find = (name: string) => {
    const found = taken.get(name);
    if (!found) throw new SnapshotError('NoSuchSnapshot', 404, `no snapshot named ${name}`);
    return found;
  };
  const fileText = (name?: string) => {
    if (name === undefined) return snapshotFileText(store, { createdAt: new Date(now()).toISOString() });
    const found = find(name);
    return snapshotFileText(store, { name, createdAt: found.info.createdAt }, tables.source(found.snap));
  };
  return {
    snapshotFile: fileText,
    async saveSnapshot(path, name) {
      const text = fileText(name);
      await writeFileAtomically(path, text);
      const header = JSON.parse(text.slice(0, text.indexOf('\n'))) as SnapshotFileCounts;
      const { domains, items, pairs } = header;
      return { path, ...(name === undefined ? {} : { name }), domains, items, pairs, bytes: Buffer.byteLength(text) };
    },
    snapshot(name) {
      let chosen = name;
      for (let k = 1; chosen === undefined; k++) if (!taken.has(`snapshot-${k}`)) chosen = `snapshot-${k}`;
      if (typeof chosen !== 'string' || !NAME.test(chosen)) {
        throw new SnapshotError('InvalidSnapshotName', 400, 'a snapshot name is 1 to 128 characters of A-Z a-z 0-9 _ . -');
      }
      const snap = ++lastSnap;
      const t = performance.now();
      const counts = tables.capture(snap);
      const tookMs = performance.now() - t;
      const old = taken.get(chosen);
      if (old) tables.drop(old.snap);
      const info = { name: chosen, createdAt: new Date(now()).toISOString(), ...counts, tookMs };
      taken.set(chosen, { snap, info });
      return { ...info };
    },
    restore(name) {
      const found = find(name);
      const t = performance.now();
      tables.restore(found.snap);
      return { ...found.info, tookMs: performance.now() - t };
    },
    snapshots: () => [...taken.values()].map((s) => ({ ...s.info })),
    dropSnapshot(name) {
      const found = taken.get(name);
      if (!found) return false;
      tables.drop(found.snap);
      taken.delete(name);
      return true;
    },
  };
}
