import { recordedValue } from '../journal.js';
import { actionOf, attributesRead, changedItem, inOrderBy, isPartial, isStale, lostResponseOf, operationOf, returnedValues, type DeleteValue, type ItemChange, type Place, type PutValue, type ReadOp, type WriteOp } from './ops.js';
import type { Evidence } from './types.js';

/**
 * The histories of one item: per attribute, its applied writes in the order they took effect,
 * which of them changed the attribute, and which read each writer built on. The definitions
 * these functions implement are in docs/analyze.md.
 *
 * The loops that run per write and attribute index their arrays rather than use `for...of` (an
 * iterator each, closed on every way out of the loop): V8's optimising compiler runs on a thread
 * of its own, and its time counts in the analysis's CPU time. With that and the other changes of
 * the same round, compiling these functions took half the time (docs/analyze.md, "Performance").
 */

/** One applied write of one attribute. */
interface Event {
  op: WriteOp;
  client: string;
  /** The attribute's values changed (a new version). */
  changed: boolean;
  /** It replaced or removed values of the attribute (an add of values does neither). */
  destructive: boolean;
  /** It replaced the attribute's values as a whole (Replace=true, a delete of the name or of the item). */
  replaces: boolean;
  /**
   * The values a delete of some values named. These lists hold a value or two, each once: an
   * array costs the collector less than a set, and there is one per write and attribute.
   */
  deleted: readonly string[];
  /** The values it added and the values it removed (undefined before the first write the journal shows). */
  added: readonly string[];
  removed: readonly string[] | undefined;
  /**
   * The read it was built on (its basis), and whether the journal proves it: `doubt` undefined
   * when the write derived from what the read returned, else why it may have. Two fields, not an
   * object of both: there is an event per write and attribute of a window.
   */
  basis: ReadOp | undefined;
  doubt: string | undefined;
  /** Changes of the attribute that took effect before this write and that its basis did not show. */
  unseen: readonly Event[];
  /** The last change its basis showed. */
  parent: Event | undefined;
  /** The first later write that removed a value this change added, without having seen it. */
  replacedBy: Event | undefined;
  /** The final version builds on it (set by `collectLost`). */
  survives: boolean;
}

export interface ItemHistory {
  /** The item's place (its account, domain and name), and its domain's (where its Selects are kept). */
  itemPlace: Place;
  domainPlace: Place;
  writes: ItemWrite[];
}

/** The item's name. */
export const itemOf = (h: ItemHistory): string => h.itemPlace.item as string;

/** A write of the item: the operation, its change to the item, and its client. */
export interface ItemWrite {
  op: WriteOp;
  change: ItemChange;
  client: string;
}

/** A client's reads, by order, for finding "its last read before". */
export interface ReadsOf {
  of(client: string): readonly ReadOp[];
}

/** A write, and the client that made it. */
export interface WriteRef {
  op: WriteOp;
  client: string;
}

export interface LostUpdate {
  attribute: string;
  lost: WriteOp;
  lostClient: string;
  lostRead: ReadOp | undefined;
  /** For a lost change: the write that removed it unseen. For a write that changed nothing: the unseen changes it landed on. */
  replacedBy: { op: WriteOp; client: string; read: ReadOp | undefined } | undefined;
  unseen: WriteRef[];
  /** undefined: definite; else why it is only possible. */
  doubt: string | undefined;
}

export interface StaleWrite {
  write: WriteOp;
  client: string;
  read: ReadOp;
  attributes: Set<string>;
  missed: Map<number, WriteRef>;
  doubt: string | undefined;
}

export interface DoubleApplied {
  first: WriteOp;
  read: ReadOp;
  retry: WriteOp;
  client: string;
  attributes: string[];
  doubt: string | undefined;
}

/**
 * What a read returned of an item's attribute: its values (empty: the item came without it),
 * undefined when the read did not return the item, null when the journal does not say.
 */
function returnedOf(read: ReadOp, item: string, attribute: string): readonly string[] | undefined | null {
  const values = returnedValues(read, item, attribute);
  if (values === undefined) return isPartial(read) ? null : undefined;
  return values;
}

const covers = (r: ReadOp, attribute: string) => {
  const read = attributesRead(r);
  return read === undefined || read.has(attribute);
};

/** Whether the read could have shown `item`: a GetAttributes of it, or a Select that returned it (or may have). */
function mayShow(r: ReadOp, item: string): boolean {
  if (r.place.item !== undefined) return true;
  return returnedOf(r, item, '') !== undefined;
}

/** How far back a search for an operation's read goes: an operation's requests are close together. */
const OPERATION_REACH = 1000;

/**
 * The last read among `reads` (sorted by order) before `order` that covers the attribute and may
 * show the item; with `operation`, only a read of that operation.
 */
function lastReadBefore(reads: readonly ReadOp[], order: number, item: string, attribute: string, operation?: string): ReadOp | undefined {
  let lo = 0;
  let hi = reads.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((reads[mid]?.order ?? 0) < order) lo = mid + 1;
    else hi = mid;
  }
  const stop = operation === undefined ? 0 : Math.max(0, lo - OPERATION_REACH);
  for (let i = lo - 1; i >= stop; i--) {
    const r = reads[i];
    if (r && (operation === undefined || operationOf(r) === operation) && covers(r, attribute) && mayShow(r, item)) return r;
  }
  return undefined;
}

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * Whether a write of the attribute can be computed from what the read returned: it writes back a
 * value the read returned, or a number where the read returned a number (an increment, a sum).
 * A value that is neither (a status set from local state, a timestamp over a flag) was not.
 * null: it was, and the journal proves it; a string: it may have been, and why the journal cannot
 * tell; undefined: it was not.
 */
function basisOf(read: ReadOp, item: string, change: ItemChange, attribute: string): string | null | undefined {
  const values = returnedOf(read, item, attribute);
  if (values === null) return `the journal does not say what read #${read.seq} returned`;
  if (values === undefined) return undefined;
  if (values.length === 0) {
    // The item came back without the attribute and the write puts a number: a default plus one
    // (`get("n", "0")`) gives it, and so does local state; the journal cannot tell which.
    return putsNumber(change, attribute) ? `read #${read.seq} returned no ${attribute}: the number written may be a default's successor or local state` : undefined;
  }
  // A read shows a value or a few: a scan of them, no set.
  const puts = change.puts;
  let wrote = false;
  let numeric = false;
  for (let i = 0; i < puts.length; i++) {
    const p = puts[i] as PutValue;
    if (p.name !== attribute) continue;
    wrote = true;
    if (values.includes(recordedValue(p.value))) return null;
    numeric ||= NUMBER.test(p.value);
  }
  if (!wrote) {
    // A delete builds on the read when it removes what the read showed.
    return change.wholeItem || deletesShown(change, attribute, values) ? null : undefined;
  }
  if (numeric) for (let i = 0; i < values.length; i++) if (NUMBER.test(values[i] as string)) return null;
  return undefined;
}

function putsNumber(change: ItemChange, attribute: string): boolean {
  const puts = change.puts;
  for (let i = 0; i < puts.length; i++) {
    const p = puts[i] as PutValue;
    if (p.name === attribute && NUMBER.test(p.value)) return true;
  }
  return false;
}

/** Whether the change deletes the attribute, or one of the values shown. */
function deletesShown(change: ItemChange, attribute: string, shown: readonly string[]): boolean {
  const deletes = change.deletes;
  for (let i = 0; i < deletes.length; i++) {
    const d = deletes[i] as DeleteValue;
    if (d.name === attribute && (d.value === undefined || shown.includes(recordedValue(d.value)))) return true;
  }
  return false;
}

/** Whether a read saw a change: served stale, only the writes up to its `asOfSeq`; otherwise all before it. */
export function readSaw(read: ReadOp, change: WriteOp): boolean {
  if (change.order >= read.order) return false;
  if (!isStale(read) || read.asOfSeq === undefined) return true;
  if (change.writeSeq !== undefined) return change.writeSeq <= read.asOfSeq;
  // A write that changed nothing the version log saw happened after version atSeq.
  return change.atSeq === undefined || change.atSeq <= read.asOfSeq;
}

/**
 * The attribute's values after the change. Values are lists, each value once, in the order a set
 * would hold them: an attribute holds a value or a few, and a list costs the collector less than
 * a set, one per write and attribute of a window.
 */
function valuesAfter(before: readonly string[] | undefined, change: ItemChange, attribute: string): readonly string[] | undefined {
  if (change.wholeItem) return NO_VALUES;
  let after = before;
  const deletes = change.deletes;
  for (let i = 0; i < deletes.length; i++) {
    const d = deletes[i] as DeleteValue;
    if (d.name !== attribute) continue;
    const value = d.value;
    if (value === undefined) after = NO_VALUES;
    else if (after?.includes(value)) after = after.filter((v) => v !== value);
  }
  // The attribute's puts, scanned twice rather than copied out: one write of a window in each call.
  const list = change.puts;
  let puts = false;
  let replace = false;
  for (let i = 0; i < list.length; i++) {
    const p = list[i] as PutValue;
    if (p.name !== attribute) continue;
    puts = true;
    replace ||= p.replace;
  }
  if (puts && (replace || after !== undefined)) {
    // Lists made with `append`: most hold the one value just put.
    let next: string[] | undefined = replace || after === undefined || after.length === 0 ? undefined : after.slice();
    for (let i = 0; i < list.length; i++) {
      const p = list[i] as PutValue;
      if (p.name === attribute && !next?.includes(p.value)) next = append(next, p.value);
    }
    after = next ?? NO_VALUES;
  }
  return after;
}

/**
 * The list with the value added; without a list, one made as a literal of the value. These lists
 * hold a value or two, one per write and attribute: a push onto an empty array reserves room for
 * seventeen.
 */
function append<T>(list: T[] | undefined, value: T): T[] {
  if (list === undefined) return [value];
  list.push(value);
  return list;
}

/** Shared by every event that missed no change: most of them. */
const NO_EVENTS: readonly Event[] = [];

/** Shared by every event that added, removed or deleted no value. */
const NO_VALUES: readonly string[] = [];

/** The values of the attribute that the change deletes by value, each once. */
function deletedValues(change: ItemChange, attribute: string): readonly string[] {
  let out: string[] | undefined;
  const deletes = change.deletes;
  for (let i = 0; i < deletes.length; i++) {
    const d = deletes[i] as DeleteValue;
    if (d.name === attribute && d.value !== undefined && !out?.includes(d.value)) out = append(out, d.value);
  }
  return out ?? NO_VALUES;
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!b.includes(a[i] as string)) return false;
  return true;
}

// These three run for every write and attribute of a window: loops, not callbacks, so that
// they allocate no closure over `attribute`.

function touches(change: ItemChange, attribute: string): boolean {
  if (change.wholeItem) return true;
  const { puts, deletes } = change;
  for (let i = 0; i < puts.length; i++) if ((puts[i] as PutValue).name === attribute) return true;
  for (let i = 0; i < deletes.length; i++) if ((deletes[i] as DeleteValue).name === attribute) return true;
  return false;
}

function replacesAll(change: ItemChange, attribute: string): boolean {
  if (change.wholeItem) return true;
  const { puts, deletes } = change;
  for (let i = 0; i < deletes.length; i++) {
    const d = deletes[i] as DeleteValue;
    if (d.name === attribute && d.value === undefined) return true;
  }
  for (let i = 0; i < puts.length; i++) {
    const p = puts[i] as PutValue;
    if (p.name === attribute && p.replace) return true;
  }
  return false;
}

function destroys(change: ItemChange, attribute: string): boolean {
  if (change.wholeItem) return true;
  const { puts, deletes } = change;
  for (let i = 0; i < deletes.length; i++) if ((deletes[i] as DeleteValue).name === attribute) return true;
  for (let i = 0; i < puts.length; i++) {
    const p = puts[i] as PutValue;
    if (p.name === attribute && p.replace) return true;
  }
  return false;
}

export interface ItemFindings {
  lost: LostUpdate[];
  stale: StaleWrite[];
  doubles: DoubleApplied[];
}

/**
 * What a window of the stream carries to the next (index.ts): per attribute, the values after
 * every write before `boundary` (the writes the next window no longer holds).
 */
export interface ItemCarry {
  /** The values at the start of this window, for the attributes whose values were known. */
  initial: ReadonlyMap<string, readonly string[]>;
  /** The writes from this order on stay for the next window: the values just before it are carried. */
  boundary: number;
  /** Filled in: the values at `boundary`; undefined while none (most items in most windows: no map for them). */
  next: Map<string, readonly string[]> | undefined;
  /** Per client, its last applied write of the item before this window, when its response was lost: a retry may follow. */
  lostBefore: ReadonlyMap<string, ItemWrite>;
}

/** An item's writes carry their order in their operation. */
const writeOrder = (w: ItemWrite): number => w.op.order;

export function analyseItem(h: ItemHistory, itemReads: ReadsOf, selectReads: ReadsOf, carry?: ItemCarry): ItemFindings {
  const out: ItemFindings = { lost: [], stale: [], doubles: [] };
  const item = itemOf(h);
  // With none applied (its conditions all failed), the values carried pass through to the next
  // window as every item's do: a branch of its own for it, first taken windows after this
  // function was optimised, threw the optimised code away.
  const applied = appliedInOrder(h.writes);
  // An item has an attribute or a few: a list, in the order a set would keep them.
  const names: string[] = carry ? [...carry.initial.keys()] : [];
  for (let i = 0; i < applied.length; i++) {
    const { puts, deletes } = (applied[i] as ItemWrite).change;
    for (let j = 0; j < puts.length; j++) addName(names, (puts[j] as PutValue).name);
    for (let j = 0; j < deletes.length; j++) addName(names, (deletes[j] as DeleteValue).name);
  }
  // Stale reads are few: most items never need the map.
  let staleByKey: Map<string, StaleWrite> | undefined;
  for (let n = 0; n < names.length; n++) {
    const attribute = names[n] as string;
    const events = attributeHistory(item, applied, attribute, itemReads, selectReads, carry);
    collectLost(item, events, attribute, out.lost);
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as Event;
      const read = e.basis;
      if (!read || !isStale(read) || !e.destructive) continue;
      // Stale for this attribute: it missed another client's change of it.
      const missed = e.unseen.filter((u) => u.op.order < read.order && u.client !== e.client && conflicts(e, u));
      if (missed.length === 0) continue;
      const key = `${e.op.seq} ${read.seq}`;
      staleByKey ??= new Map();
      let s = staleByKey.get(key);
      if (!s) staleByKey.set(key, (s = { write: e.op, client: e.client, read, attributes: new Set(), missed: new Map(), doubt: e.doubt }));
      s.attributes.add(attribute);
      if (e.doubt === undefined) s.doubt = undefined;
      for (let j = 0; j < missed.length; j++) {
        const u = missed[j] as Event;
        s.missed.set(u.op.seq, { op: u.op, client: u.client });
      }
    }
  }
  if (staleByKey) out.stale.push(...staleByKey.values());
  // Only a write whose response was lost can be done twice: most items had none.
  const lostBefore = carry?.lostBefore;
  if (applied.length > 0 && ((lostBefore !== undefined && lostBefore.size > 0) || someResponseLost(applied))) {
    out.doubles.push(...doubleApplied(h, itemReads, selectReads, lostBefore));
  }
  return out;
}

function addName(names: string[], name: string): void {
  if (!names.includes(name)) names.push(name);
}

/**
 * The item's applied writes by order: its list itself when every write was applied and they
 * arrived in order (most items of most windows), else a list made for them.
 */
function appliedInOrder(writes: ItemWrite[]): ItemWrite[] {
  let all = true;
  let sorted = true;
  for (let i = 0; i < writes.length; i++) {
    const op = (writes[i] as ItemWrite).op;
    if (!op.applied) all = false;
    else if (i > 0 && (writes[i - 1] as ItemWrite).op.order > op.order) sorted = false;
  }
  if (all && sorted) return writes;
  if (all) return inOrderBy(writes, writeOrder);
  // Cut from a copy, not filtered: a list filtered to nothing is a list of another kind to V8 (of
  // small integers), and the code reading these lists, optimised for one kind, was thrown away.
  const applied = writes.slice();
  let count = 0;
  for (let i = 0; i < writes.length; i++) if ((writes[i] as ItemWrite).op.applied) applied[count++] = writes[i] as ItemWrite;
  applied.length = count;
  return inOrderBy(applied, writeOrder);
}

function someResponseLost(writes: ItemWrite[]): boolean {
  for (let i = 0; i < writes.length; i++) if (lostResponseOf((writes[i] as ItemWrite).op) !== undefined) return true;
  return false;
}

/** Whether `e`'s change undoes or repeats something of `u`'s: a replace does; a delete of some values, only of those values. */
function conflicts(e: Event, u: Event): boolean {
  if (e.replaces) return true;
  const deleted = e.deleted;
  for (let i = 0; i < deleted.length; i++) {
    const v = deleted[i] as string;
    if (u.added.includes(v) || u.removed === undefined || u.removed.includes(v)) return true;
  }
  return false;
}

function attributeHistory(
  item: string,
  applied: ItemWrite[],
  attribute: string,
  itemReads: ReadsOf,
  selectReads: ReadsOf,
  carry: ItemCarry | undefined,
): Event[] {
  // Made at their largest (an event per write), then cut to what they got: a push onto an empty
  // array reserves room for seventeen, and there is a list of each per item and attribute.
  const events = new Array<Event>(applied.length);
  const changes = new Array<Event>(applied.length);
  let eventCount = 0;
  let changeCount = 0;
  const initial = carry?.initial.get(attribute);
  let values: readonly string[] | undefined = initial;
  // The values just before the carry's boundary are kept for the next window: before the first
  // write from the boundary on, or after the last. One place that keeps them, reached by nearly
  // every item in every window: two, the second first reached after this function was
  // optimised, threw the optimised code away.
  let carried = carry === undefined;
  for (let i = 0; i <= applied.length; i++) {
    const w = i < applied.length ? (applied[i] as ItemWrite) : undefined;
    if (!carried && (w === undefined || w.op.order >= (carry?.boundary ?? 0))) {
      carried = true;
      if (carry && values) (carry.next ??= new Map()).set(attribute, values);
    }
    if (w === undefined) break;
    if (!touches(w.change, attribute)) continue;
    const after = valuesAfter(values, w.change, attribute);
    // Without the values before (the journal starts later), the version log decides, if it ran.
    const changed =
      values !== undefined && after !== undefined ? !sameValues(values, after) : !(w.op.atSeq !== undefined && w.op.writeSeq === undefined);
    let added: string[] | undefined;
    let removed: readonly string[] | undefined;
    // `after` holds each value once.
    if (after) {
      for (let j = 0; j < after.length; j++) {
        const v = after[j] as string;
        if (!values?.includes(v)) added = append(added, v);
      }
    }
    if (values && after) {
      let gone: string[] | undefined;
      for (let j = 0; j < values.length; j++) {
        const v = values[j] as string;
        if (!after.includes(v)) gone = append(gone, v);
      }
      removed = gone ?? NO_VALUES;
    } else if (!after) {
      // Values before unknown: an add adds what it puts, a delete of named values removes at most those.
      const puts = w.change.puts;
      for (let j = 0; j < puts.length; j++) {
        const p = puts[j] as PutValue;
        if (p.name === attribute && !added?.includes(p.value)) added = append(added, p.value);
      }
      removed = deletedValues(w.change, attribute);
    }
    values = after;
    const e: Event = {
      op: w.op,
      client: w.client,
      changed,
      destructive: destroys(w.change, attribute),
      replaces: replacesAll(w.change, attribute),
      deleted: w.change.deletes.length === 0 ? NO_VALUES : deletedValues(w.change, attribute),
      added: added ?? NO_VALUES,
      removed,
      basis: undefined,
      doubt: undefined,
      unseen: NO_EVENTS,
      parent: undefined,
      replacedBy: undefined,
      survives: false,
    };
    events[eventCount++] = e;
    if (changed) changes[changeCount++] = e;
    const operation = operationOf(w.op);
    const read = latest(
      lastReadBefore(itemReads.of(w.client), w.op.order, item, attribute, operation),
      lastReadBefore(selectReads.of(w.client), w.op.order, item, attribute, operation),
    );
    // An operation id says which reads the write belongs with: no guess from the values.
    if (read) {
      const doubt = operation === undefined ? basisOf(read, item, w.change, attribute) : null;
      if (doubt !== undefined) {
        e.basis = read;
        e.doubt = doubt ?? undefined;
      }
    }
  }
  events.length = eventCount;
  changes.length = changeCount;
  let before = 0; // changes[0..before) took effect before the current event
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Event;
    while (before < changes.length && (changes[before]?.op.order ?? 0) < e.op.order) before++;
    const basis = e.basis;
    if (!basis) continue; // not built on a read the journal shows: nothing to judge it by
    // An applied condition on the attribute proves the writer's view of it was current.
    let seen = before;
    if (!e.op.checked.includes(attribute)) {
      // What a read saw is a prefix of the changes: the version log numbers changes in the order they happen.
      seen = 0;
      let hi = before;
      while (seen < hi) {
        const mid = (seen + hi) >>> 1;
        if (readSaw(basis, (changes[mid] as Event).op)) seen = mid + 1;
        else hi = mid;
      }
    }
    e.parent = seen > 0 ? changes[seen - 1] : undefined;
    let unseen: Event[] | undefined;
    for (let j = seen; j < before; j++) {
      const c = changes[j] as Event;
      // The client's own writes after its read: it knows what it wrote and builds on that.
      // The orders first: compared for every change, so that the optimised code has seen them.
      if (c.op.order > basis.order && c.client === e.client) e.parent = c;
      else unseen = append(unseen, c);
    }
    e.unseen = unseen ?? NO_EVENTS;
    if (!e.changed || !e.destructive) continue;
    // A replace discards every version it did not see, even where it stores a value again; a
    // delete of some values discards only the changes that added them.
    const missed = e.unseen;
    for (let j = 0; j < missed.length; j++) {
      const u = missed[j] as Event;
      if (u.replacedBy === undefined && (e.replaces || removesAny(e, u.added))) u.replacedBy = e;
    }
  }
  return events;
}

/** Whether the event removed one of the values. */
function removesAny(e: Event, values: readonly string[]): boolean {
  if (e.removed === undefined) return values.length > 0;
  for (let i = 0; i < values.length; i++) if (e.removed.includes(values[i] as string)) return true;
  return false;
}

function latest(a: ReadOp | undefined, b: ReadOp | undefined): ReadOp | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.order >= b.order ? a : b;
}

function showed(read: ReadOp | undefined, item: string, attribute: string, value: string): boolean {
  return read !== undefined && (returnedOf(read, item, attribute) ?? NO_VALUES).includes(recordedValue(value));
}

/** The values the write put in the item's attribute. */
function written(op: WriteOp, item: string, attribute: string): string[] {
  return op.changes.flatMap((c) => (changedItem(c) === item ? c.puts.filter((p) => p.name === attribute).map((p) => p.value) : []));
}

const OWN =
  "the change it replaced unseen was the client's own earlier write, which the read it built on did not show: lost if it computed the value from that read, not if from its own state";

/**
 * Lost: a change whose added values a later write removed without having seen it, when the final
 * version of the attribute does not build on it; or a write that replaced the attribute with
 * what an unseen change had already stored (two updates, one effect). A client knows its own
 * writes: a read that did not show one of them proves a loss only when the write shows it used
 * that read (the same value computed twice); otherwise the loss is possible.
 */
function collectLost(item: string, events: Event[], attribute: string, out: LostUpdate[]): void {
  let last: Event | undefined;
  for (let i = events.length - 1; i >= 0 && !last; i--) if ((events[i] as Event).changed) last = events[i];
  for (let v = last; v && !v.survives; v = v.parent) v.survives = true;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Event;
    if (e.changed && e.replacedBy && !e.survives) {
      const by = e.replacedBy;
      let doubt = by.doubt;
      if (by.client === e.client) {
        // Removing a value it added itself is what it meant, whatever the read showed.
        if (!by.replaces) continue;
        // The same value computed twice, from a read that did not show the first: definite.
        const values = written(by.op, item, attribute);
        if (!e.added.some((v) => values.includes(v) && !showed(by.basis, item, attribute, v))) doubt ??= OWN;
      }
      out.push({
        attribute,
        lost: e.op,
        lostClient: e.client,
        lostRead: e.basis,
        replacedBy: { op: by.op, client: by.client, read: by.basis },
        unseen: [],
        doubt,
      });
    } else if (!e.changed && e.replaces && e.basis && e.unseen.length > 0) {
      // Its own unseen write stored the same value while the read it built on showed another: it
      // computed the value from that read a second time.
      const recomputed = written(e.op, item, attribute).every((v) => !showed(e.basis, item, attribute, v));
      if (!e.unseen.some((u) => u.client !== e.client) && !recomputed) continue;
      out.push({
        attribute,
        lost: e.op,
        lostClient: e.client,
        lostRead: e.basis,
        replacedBy: undefined,
        unseen: e.unseen.map((u) => ({ op: u.op, client: u.client })),
        doubt: e.doubt,
      });
    }
  }
}

/**
 * A value the first write stored which the second stores under another attribute, whole or as a
 * space-separated word: the shape of a write id carried forward, and of a copied audit field.
 */
function carriedValue(retry: ItemChange, first: ItemChange): { from: string; to: string } | undefined {
  const values = new Map<string, string>();
  for (const p of first.puts) if (p.value !== '') values.set(p.value, p.name);
  for (const p of retry.puts) {
    for (const word of [p.value, ...p.value.split(' ')]) {
      const name = values.get(word);
      if (name !== undefined && name !== p.name) return { from: name, to: p.name };
    }
  }
  return undefined;
}

/**
 * A write applied although its response was lost, then done again by its client: the client's
 * next write of the item writes the same attributes with other values, built on a read that
 * already showed the first write, and does not carry the first write's id.
 */
function doubleApplied(h: ItemHistory, itemReads: ReadsOf, selectReads: ReadsOf, lostBefore: ReadonlyMap<string, ItemWrite> | undefined): DoubleApplied[] {
  const byClient = new Map<string, ItemWrite[]>();
  if (lostBefore) for (const w of lostBefore.values()) byClient.set(w.client, [w]);
  const writes = h.writes;
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i] as ItemWrite;
    if (!w.op.applied) continue;
    const list = byClient.get(w.client);
    if (list) list.push(w);
    else byClient.set(w.client, [w]);
  }
  const out: DoubleApplied[] = [];
  for (const arrived of byClient.values()) {
    // Nearly in order already, and short: an insertion sort, not the library's, which sets up
    // more for each call than it sorts here.
    const list = inOrderBy(arrived, writeOrder);
    for (let i = 0; i + 1 < list.length; i++) {
      const first = list[i] as ItemWrite;
      const retry = list[i + 1] as ItemWrite;
      if (!lostResponseOf(first.op) || !retry.op.applied) continue;
      const found = retried(h, first, retry, itemReads, selectReads);
      if (found) out.push(found);
    }
  }
  return out;
}

/**
 * Whether the client's next applied write after one whose response was lost did it again. A
 * function of its own: it runs for few writes, and kept out of the loop above, it is not
 * compiled with it.
 */
function retried(h: ItemHistory, first: ItemWrite, retry: ItemWrite, itemReads: ReadsOf, selectReads: ReadsOf): DoubleApplied | undefined {
  const client = first.client;
  const names = [...new Set(first.change.puts.map((p) => p.name))].sort();
  const retryNames = [...new Set(retry.change.puts.map((p) => p.name))].sort();
  if (names.length === 0 || names.join('\u0000') !== retryNames.join('\u0000') || retry.change.deletes.length > 0) return undefined;
  const value = (c: ItemChange, n: string) => c.puts.filter((p) => p.name === n).map((p) => p.value).sort().join('\u0000');
  if (names.every((n) => value(first.change, n) === value(retry.change, n))) return undefined;
  const attribute = names[0] ?? '';
  const read = latest(
    lastReadBefore(itemReads.of(client), retry.op.order, itemOf(h), attribute),
    lastReadBefore(selectReads.of(client), retry.op.order, itemOf(h), attribute),
  );
  if (!read || read.order < first.op.order || !readSaw(read, first.op)) return undefined;
  // Operation ids say it: the same operation wrote twice.
  const operation = operationOf(first.op);
  if (operation !== undefined && operation === operationOf(retry.op)) return { first: first.op, read, retry: retry.op, client, attributes: names, doubt: undefined };
  // The operation that lost the answer read the item again itself, and wrote no more: it checked, and knew.
  if (operation !== undefined && operationOf(read) === operation) return undefined;
  const carried = carriedValue(retry.change, first.change);
  return {
    first: first.op,
    read,
    retry: retry.op,
    client,
    attributes: names,
    doubt:
      carried === undefined
        ? undefined
        : `the second write carries, under ${carried.to}, the value #${first.op.seq} wrote under ${carried.from}: a write id would prove the client knew the first landed (a next change, not a retry), a copied field would not`,
  };
}

export function evidence(op: WriteOp | ReadOp, role: Evidence['role'], client: string): Evidence {
  return { seq: op.seq, role, client, action: actionOf(op) };
}
