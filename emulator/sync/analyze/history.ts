import type { ItemChange, ReadOp, WriteOp } from './ops.js';
import type { Evidence } from './types.js';

/**
 * The histories of one item: per attribute, its applied writes in the order they took effect,
 * which of them changed the attribute, and what each writer had seen when it wrote. The
 * definitions these functions implement are in docs/analyze.md.
 */

/** One applied write of one attribute. */
interface Event {
  op: WriteOp;
  client: string;
  /** The attribute's values changed (a new version). */
  changed: boolean;
  /** What the writer built on: its last read of the attribute, or its own last write. */
  basis: { kind: 'read'; read: ReadOp } | { kind: 'own'; write: Event } | undefined;
  /** Changes of the attribute that took effect before this write and that its writer had not seen. */
  unseen: Event[];
  /** The version it replaced when changing: the last change its writer had seen. */
  parent: Event | undefined;
  /** The first later change that replaced this one without its writer having seen it. */
  replacedBy: Event | undefined;
}

export interface ItemHistory {
  run: number;
  account: string;
  domain: string;
  item: string;
  writes: { op: WriteOp; change: ItemChange; client: string }[];
}

/** A client's reads, by order, for finding "its last read before". */
export type ReadsOf = (client: string) => readonly ReadOp[];

export interface LostUpdate {
  attribute: string;
  lost: WriteOp;
  lostClient: string;
  lostRead: ReadOp | undefined;
  /** For a lost change: the change that replaced it unseen. For a write that changed nothing: the unseen changes it landed on. */
  replacedBy: { op: WriteOp; client: string; read: ReadOp | undefined } | undefined;
  unseen: { op: WriteOp; client: string }[];
}

export interface StaleWrite {
  write: WriteOp;
  client: string;
  read: ReadOp;
  attributes: Set<string>;
  missed: Map<number, { op: WriteOp; client: string }>;
}

export interface DoubleApplied {
  first: WriteOp;
  read: ReadOp;
  retry: WriteOp;
  client: string;
  attributes: string[];
}

const covers = (r: ReadOp, attribute: string) => r.attributes === undefined || r.attributes.has(attribute);

/** The last read of `attribute` among `reads` (sorted by order) that took effect before `order`. */
function lastReadBefore(reads: readonly ReadOp[], order: number, attribute: string): ReadOp | undefined {
  let lo = 0;
  let hi = reads.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((reads[mid]?.order ?? 0) < order) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0; i--) {
    const r = reads[i];
    if (r && covers(r, attribute)) return r;
  }
  return undefined;
}

/** Whether a read saw a change: served stale, only the writes up to its `asOfSeq`; otherwise all before it. */
function readSaw(read: ReadOp, change: WriteOp): boolean {
  if (change.order >= read.order) return false;
  if (!read.stale || read.asOfSeq === undefined) return true;
  if (change.writeSeq !== undefined) return change.writeSeq <= read.asOfSeq;
  // A write that changed nothing the version log saw happened after version atSeq.
  return change.atSeq === undefined || change.atSeq <= read.asOfSeq;
}

function valuesAfter(before: Set<string> | undefined, change: ItemChange, attribute: string): Set<string> | undefined {
  if (change.wholeItem) return new Set();
  let after = before;
  for (const d of change.deletes) {
    if (d.name !== attribute) continue;
    if (d.value === undefined) after = new Set();
    else if (after) {
      after = new Set(after);
      after.delete(d.value);
    }
  }
  const puts = change.puts.filter((p) => p.name === attribute);
  if (puts.length > 0) {
    after = puts.some((p) => p.replace) ? new Set() : after && new Set(after);
    if (after) for (const p of puts) after.add(p.value);
  }
  return after;
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const v of a) if (!b.has(v)) return false;
  return true;
}

function touches(change: ItemChange, attribute: string): boolean {
  return change.wholeItem || change.puts.some((p) => p.name === attribute) || change.deletes.some((d) => d.name === attribute);
}

export interface ItemFindings {
  lost: LostUpdate[];
  stale: StaleWrite[];
  doubles: DoubleApplied[];
}

export function analyseItem(h: ItemHistory, itemReads: ReadsOf, selectReads: ReadsOf): ItemFindings {
  const applied = h.writes.filter((w) => w.op.applied).sort((a, b) => a.op.order - b.op.order);
  const names = new Set<string>();
  for (const w of applied) {
    for (const p of w.change.puts) names.add(p.name);
    for (const d of w.change.deletes) names.add(d.name);
  }
  const out: ItemFindings = { lost: [], stale: [], doubles: [] };
  const staleByKey = new Map<string, StaleWrite>();
  for (const attribute of names) {
    const events = attributeHistory(applied, attribute, itemReads, selectReads);
    collectLost(events, attribute, out.lost);
    for (const e of events) {
      if (e.basis?.kind !== 'read' || !e.basis.read.stale) continue;
      const read = e.basis.read;
      const key = `${e.op.seq} ${read.seq}`;
      let s = staleByKey.get(key);
      if (!s) staleByKey.set(key, (s = { write: e.op, client: e.client, read, attributes: new Set(), missed: new Map() }));
      s.attributes.add(attribute);
      for (const u of e.unseen) if (u.op.order < read.order) s.missed.set(u.op.seq, { op: u.op, client: u.client });
    }
  }
  // A Select is stale for its whole domain: it counts only when this item missed a change.
  out.stale.push(...[...staleByKey.values()].filter((s) => s.read.item !== undefined || s.missed.size > 0));
  out.doubles.push(...doubleApplied(h, itemReads, selectReads));
  return out;
}

function attributeHistory(applied: ItemHistory['writes'], attribute: string, itemReads: ReadsOf, selectReads: ReadsOf): Event[] {
  const events: Event[] = [];
  const changes: Event[] = [];
  let values: Set<string> | undefined;
  for (const w of applied) {
    if (!touches(w.change, attribute)) continue;
    const after = valuesAfter(values, w.change, attribute);
    // Without the values before (the journal starts later), the version log decides, if it ran.
    const changed =
      values !== undefined && after !== undefined ? !sameSet(values, after) : !(w.op.atSeq !== undefined && w.op.writeSeq === undefined);
    values = after;
    const e: Event = { op: w.op, client: w.client, changed, basis: undefined, unseen: [], parent: undefined, replacedBy: undefined };
    events.push(e);
    if (changed) changes.push(e);
  }
  const lastOwn = new Map<string, Event>();
  let before = 0; // changes[0..before) took effect before the current event
  for (const e of events) {
    while (before < changes.length && (changes[before]?.op.order ?? 0) < e.op.order) before++;
    const read = latest(
      lastReadBefore(itemReads(e.client), e.op.order, attribute),
      lastReadBefore(selectReads(e.client), e.op.order, attribute),
    );
    const own = lastOwn.get(e.client);
    lastOwn.set(e.client, e);
    if (read && (!own || read.order > own.op.order)) e.basis = { kind: 'read', read };
    else if (own) e.basis = { kind: 'own', write: own };
    if (!e.basis) continue; // a blind write: it claims to build on nothing, so nothing is judged
    const basis = e.basis;
    const saw = (c: Event) => (basis.kind === 'read' ? readSaw(basis.read, c.op) : c.op.order <= basis.write.op.order);
    // What a writer saw is a prefix of the changes: the version log numbers changes in the order they happen.
    let seen = 0;
    let hi = before;
    while (seen < hi) {
      const mid = (seen + hi) >>> 1;
      if (saw(changes[mid] as Event)) seen = mid + 1;
      else hi = mid;
    }
    e.parent = seen > 0 ? changes[seen - 1] : undefined;
    e.unseen = changes.slice(seen, before);
    if (e.changed) for (const u of e.unseen) u.replacedBy ??= e;
  }
  return events;
}

function latest(a: ReadOp | undefined, b: ReadOp | undefined): ReadOp | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.order >= b.order ? a : b;
}

/**
 * Lost: a change that a writer replaced without having seen it and that the final version does
 * not build on; or a write that changed nothing because an unseen change had already stored its
 * value (two updates, one effect).
 */
function collectLost(events: Event[], attribute: string, out: LostUpdate[]): void {
  const survivors = new Set<Event>();
  for (let v = [...events].reverse().find((e) => e.changed); v; v = v.parent) {
    if (survivors.has(v)) break;
    survivors.add(v);
  }
  const readOf = (e: Event) => (e.basis?.kind === 'read' ? e.basis.read : undefined);
  for (const e of events) {
    if (e.changed && e.replacedBy && !survivors.has(e)) {
      const by = e.replacedBy;
      out.push({
        attribute,
        lost: e.op,
        lostClient: e.client,
        lostRead: readOf(e),
        replacedBy: { op: by.op, client: by.client, read: readOf(by) },
        unseen: [],
      });
    } else if (!e.changed && e.basis && e.unseen.length > 0) {
      out.push({
        attribute,
        lost: e.op,
        lostClient: e.client,
        lostRead: readOf(e),
        replacedBy: undefined,
        unseen: e.unseen.map((u) => ({ op: u.op, client: u.client })),
      });
    }
  }
}

/** Values of 8 characters or more: ids a write leaves so that a later one can prove it saw it. */
const TOKEN_LENGTH = 8;

function carriesTokenOf(retry: ItemChange, first: ItemChange): boolean {
  const tokens = new Map<string, string>();
  for (const p of first.puts) if (p.value.length >= TOKEN_LENGTH) tokens.set(p.value, p.name);
  if (tokens.size === 0) return false;
  for (const p of retry.puts) {
    for (const word of [p.value, ...p.value.split(' ')]) {
      const name = tokens.get(word);
      if (name !== undefined && name !== p.name) return true;
    }
  }
  return false;
}

/**
 * A write applied although its response was lost, then done again by its client: the client's
 * next write of the item writes the same attributes with other values, built on a read that
 * already showed the first write, and does not carry the first write's id.
 */
function doubleApplied(h: ItemHistory, itemReads: ReadsOf, selectReads: ReadsOf): DoubleApplied[] {
  const byClient = new Map<string, ItemHistory['writes']>();
  for (const w of h.writes) {
    if (!w.op.applied) continue;
    let list = byClient.get(w.client);
    if (!list) byClient.set(w.client, (list = []));
    list.push(w);
  }
  const out: DoubleApplied[] = [];
  for (const [client, writes] of byClient) {
    writes.sort((a, b) => a.op.order - b.op.order);
    for (let i = 0; i + 1 < writes.length; i++) {
      const first = writes[i];
      const retry = writes[i + 1];
      if (!first || !retry || !first.op.lostResponse || !retry.op.applied) continue;
      const names = [...new Set(first.change.puts.map((p) => p.name))].sort();
      const retryNames = [...new Set(retry.change.puts.map((p) => p.name))].sort();
      if (names.length === 0 || names.join('\u0000') !== retryNames.join('\u0000') || retry.change.deletes.length > 0) continue;
      const value = (c: ItemChange, n: string) => c.puts.filter((p) => p.name === n).map((p) => p.value).sort().join('\u0000');
      if (names.every((n) => value(first.change, n) === value(retry.change, n))) continue;
      const attribute = names[0] ?? '';
      const read = latest(
        lastReadBefore(itemReads(client), retry.op.order, attribute),
        lastReadBefore(selectReads(client), retry.op.order, attribute),
      );
      if (!read || read.order < first.op.order || !readSaw(read, first.op)) continue;
      if (carriesTokenOf(retry.change, first.change)) continue;
      out.push({ first: first.op, read, retry: retry.op, client, attributes: names });
    }
  }
  return out;
}

export function evidence(op: WriteOp | ReadOp, role: Evidence['role'], client: string): Evidence {
  return { seq: op.seq, role, client, action: op.action };
}
