/**
 * How hard a commit is pushed to disk. A file database runs in WAL mode, where SQLite's
 * `synchronous` setting decides what a power loss can take (docs/reliability.md):
 * - normal: a commit is written to the WAL but synced only at checkpoints; a killed process
 *   loses nothing the operating system has accepted, a power loss or OS crash may lose the last
 *   commits (the database stays consistent);
 * - full: the WAL is synced at every commit, so an acknowledged write survives a power loss too.
 */
export type Durability = 'normal' | 'full';

export const DURABILITIES: readonly Durability[] = ['normal', 'full'];

/** The pragma value per setting: a fixed word, since a PRAGMA cannot take a bound parameter. */
export const SYNCHRONOUS: Readonly<Record<Durability, string>> = { normal: 'NORMAL', full: 'FULL' };

export function parseDurability(value: string): Durability {
  const found = DURABILITIES.find((d) => d === value);
  if (found === undefined) throw new Error(`durability is one of ${DURABILITIES.join(', ')}, not ${JSON.stringify(value)}`);
  return found;
}
