import { readRequest, type ItemInput, type RequestReading } from '../../actions/readers.js';
import { Params, type IndexedGroup, type Pair } from '../../core/params.js';
import type { Expr } from '../../select/ast.js';
import { parseSelect } from '../../select/parser.js';
import type { AnalyzableEntry } from './types.js';

/**
 * Journal entries reduced to what the histories need: which items and attributes a request read
 * or wrote, the values, and when it took effect. Parameters are dropped once read, so a journal
 * of a million requests fits in memory as these.
 */

export interface PutValue {
  name: string;
  value: string;
  replace: boolean;
}

/** Without a value: every value of the name. */
export interface DeleteValue {
  name: string;
  value?: string;
}

/**
 * Where an operation acts: an item of a domain, or a domain (a write's, or a Select's, which
 * counts as a read of every item of it). One per name in a run (`Names`), shared by every
 * operation on it, so that an operation holds one reference instead of four strings.
 */
export interface Place {
  readonly account: string;
  readonly domain: string;
  /** undefined: the domain. */
  readonly item: string | undefined;
  /** account, domain and item (`itemKey`), or account and domain (`domainKey`): the key the cycle search keeps versions by. */
  readonly key: string;
  /** Its number in the run, from 0 in the order the places were first met: what is kept per place is found by it. */
  readonly index: number;
}

/*
 * Every operation a window holds lives until the window is settled: it is promoted to the old
 * generation, and the old generation's collections walk it, so what the analysis costs beyond
 * reading the journal grows with its size (docs/analyze.md, "Performance"). So an operation keeps
 * in fields only what differs between operations: its place's names by one shared reference,
 * a read's flags as bits, what few operations carry in one field. And each is made by an object
 * literal, not a class: once V8 sees that a literal's objects live long, it allocates them
 * straight into the old generation (allocation-site pretenuring), so the young-generation
 * collections do not copy them first; it does not do so for a class's instances.
 */

export interface ItemChange {
  place: Place;
  puts: PutValue[];
  deletes: DeleteValue[];
  /** DeleteAttributes without attributes: the whole item. */
  wholeItem: boolean;
}

/** The item a change is to. */
export const changedItem = (c: ItemChange): string => c.place.item as string;

/** What few reads carry. */
interface ReadRare {
  /** The X-SimpleDB-Operation header it carried. */
  operation: string | undefined;
  /** Only these attributes (AttributeName, or a Select's output list); undefined: every attribute. */
  attributes: ReadonlySet<string> | undefined;
  /** A Select with a where clause: the attributes it names (a write to them may change what it matches). */
  predicate: ReadonlySet<string> | undefined;
}

/** `ReadOp.bits`: the emulator served it stale (it saw only writes up to `asOfSeq`). */
const STALE = 1;
/** ... the journal recorded only some of the items it returned (`read.returned.more`). */
const PARTIAL = 2;
/** Above every value `ReadOp.bits` takes: what packs them with another number (lastreads.ts). */
export const READ_BITS = 4;

export interface ReadOp {
  kind: 'read';
  seq: number;
  /** Position in the order actions took effect (finish order for journals without it). */
  order: number;
  /** Index into the run's identities; resolved to a client name at the end. */
  identity: number;
  /** The item read, or the domain of a Select (which counts as a read of every item of it). */
  place: Place;
  /** When stale: it saw only writes up to this sequence number. */
  asOfSeq: number | undefined;
  bits: number;
  rare: ReadRare | undefined;
  /**
   * What it returned: when that was one attribute of one value of its own item (a counter, a
   * status: most reads), that attribute's name, with the value in `value`; otherwise the
   * journal's record as `ReturnedItems`; undefined when the journal does not say (an older
   * journal).
   */
  shown: string | ReturnedItems | undefined;
  value: string | undefined;
}

export const isStale = (r: ReadOp): boolean => (r.bits & STALE) !== 0;
export const isPartial = (r: ReadOp): boolean => (r.bits & PARTIAL) !== 0;
/** The attributes it returned values of; undefined: every attribute. */
export const attributesRead = (r: ReadOp): ReadonlySet<string> | undefined => r.rare?.attributes;
/** A Select with a where clause: the attributes it names. */
export const predicateOf = (r: ReadOp): ReadonlySet<string> | undefined => r.rare?.predicate;

/**
 * One read, every field set in the same order: every read shares one shape. Its parts come one
 * by one: an object of them per read was garbage as soon as the read was made.
 */
function readOp(
  seq: number,
  order: number,
  identity: number,
  place: Place,
  stale: boolean,
  partial: boolean,
  asOfSeq: number | undefined,
  returned: ReturnedRecord['items'] | undefined,
  operation: string | undefined,
  attributes: ReadonlySet<string> | undefined,
  predicate: ReadonlySet<string> | undefined,
): ReadOp {
  const rare = operation === undefined && attributes === undefined && predicate === undefined ? undefined : { operation, attributes, predicate };
  const own = returned && place.item !== undefined ? oneValueOf(returned, place.item) : undefined;
  return {
    kind: 'read',
    seq,
    order,
    identity,
    place,
    asOfSeq,
    bits: (stale ? STALE : 0) | (partial ? PARTIAL : 0),
    rare,
    shown: own !== undefined ? own : returned && new ReturnedItems(returned),
    value: own !== undefined ? ((returned as ReturnedRecord['items'])[0]?.attributes[own] as readonly string[])[0] : undefined,
  };
}

/** What it returned, item → attribute → values as `read.returned` records them; undefined when the journal does not say. */
export function returnedBy(r: ReadOp): ReturnedItems | undefined {
  const shown = r.shown;
  if (typeof shown !== 'string') return shown;
  // A computed key defines an own property, whatever the name (`__proto__` included), as JSON.parse did.
  return new ReturnedItems([{ name: r.place.item as string, attributes: { [shown]: [r.value as string] } }]);
}

/** The attribute's values in the item as returned (empty: it had none); undefined when the item was not returned; null when the journal does not say. */
export function returnedValues(r: ReadOp, item: string, attribute: string): readonly string[] | undefined | null {
  const shown = r.shown;
  if (shown === undefined) return null;
  if (typeof shown !== 'string') return shown.values(item, attribute);
  if (item !== r.place.item) return undefined;
  return attribute === shown ? [r.value as string] : NO_VALUES;
}

/** The item names it returned, each once, in the order first returned; undefined when the journal does not say. */
export function returnedNames(r: ReadOp): string[] | undefined {
  const shown = r.shown;
  if (shown === undefined) return undefined;
  return typeof shown === 'string' ? [r.place.item as string] : shown.keys();
}

/** What few writes carry. */
interface WriteRare {
  operation: string | undefined;
  /** The fault effect that lost its response, when one did. */
  lostResponse: string | undefined;
}

export interface WriteOp {
  kind: 'write';
  seq: number;
  order: number;
  identity: number;
  /** Its domain. */
  place: Place;
  action: string;
  changes: ItemChange[];
  conditional: boolean;
  /** The action ran to success: its change is in the store. */
  applied: boolean;
  /** The condition was checked and failed. */
  conditionFailed: boolean;
  rare: WriteRare | undefined;
  /** The attributes its `Expected` conditions named: when it was applied, they held their expected state. */
  checked: readonly string[];
  atSeq: number | undefined;
  writeSeq: number | undefined;
}

/** The fault effect that lost its response, when one did. */
export const lostResponseOf = (w: WriteOp): string | undefined => w.rare?.lostResponse;

export type Op = ReadOp | WriteOp;

/** The X-SimpleDB-Operation header it carried. */
export const operationOf = (op: Op): string | undefined => op.rare?.operation;

/** The client that sent it, by the run's names of its identities. */
export const clientOf = (names: readonly string[], op: Op): string => names[op.identity] ?? 'unknown';

/** Its action's name. */
export const actionOf = (op: Op): string => (op.kind === 'write' ? op.action : op.place.item === undefined ? 'Select' : 'GetAttributes');

/** The codes of a conditional check that failed (Developer Guide, "Conditional Put/Delete"). */
const CONDITION_FAILURES: ReadonlySet<string> = new Set(['ConditionalCheckFailed', 'AttributeDoesNotExist', 'MultiValuedAttribute']);

/** The attributes an expression names. */
function named(e: Expr, out: Set<string>): Set<string> {
  if (e.kind === 'cmp') {
    if (e.subject.kind === 'itemName') out.add('itemName()');
    else out.add(e.subject.name);
  } else if (e.kind === 'not') named(e.item, out);
  else for (const x of e.items) named(x, out);
  return out;
}

/**
 * The domain, the attributes a Select returns values of (undefined: all; empty: none, for
 * itemName() and count(*)), and the attributes its where clause names.
 */
function selectShape(expression: string): { domain: string; attributes: Set<string> | undefined; predicate: Set<string> | undefined } | undefined {
  try {
    const q = parseSelect(expression);
    const predicate = q.where === null ? undefined : named(q.where, new Set());
    const attributes = q.output.kind === 'all' ? undefined : q.output.kind === 'attrs' ? new Set(q.output.names) : new Set<string>();
    return { domain: q.domain, attributes, predicate };
  } catch {
    return undefined;
  }
}

/**
 * The journal's parameters as the readers take them: looked up in the entry's own object, and
 * listed (for the indexed lists) only when a reader asks for a list.
 */
export class RecordParams extends Params {
  constructor(private readonly record: Readonly<Record<string, string>>) {
    super();
  }

  protected override materialize(): readonly Pair[] {
    return Object.entries(this.record);
  }

  /**
   * `Params.indexed` without listing every parameter first: a request of the journal has one
   * attribute or a few, most often in one group. Several groups are left to `Params` to order.
   */
  override indexed(prefix: string): readonly IndexedGroup[] {
    const start = prefix + '.';
    let key: string | undefined;
    let list: Pair[] | undefined;
    for (const name in this.record) {
      if (!name.startsWith(start) || !Object.hasOwn(this.record, name)) continue;
      const dot = name.indexOf('.', start.length);
      const index = dot < 0 ? name.slice(start.length) : name.slice(start.length, dot);
      if (!isIndex(index)) continue;
      if (key === undefined) key = index;
      else if (index !== key) return super.indexed(prefix);
      (list ??= []).push([dot < 0 ? '' : name.slice(dot + 1), this.record[name] as string]);
    }
    return key === undefined || list === undefined ? [] : [{ index: Number(key), key, params: new Params(list) }];
  }

  override get(name: string): string | undefined {
    const value = this.record[name];
    // No inherited property of an object holds a string: only a value of another type needs the own-property check.
    if (typeof value === 'string' || value === undefined) return value;
    return Object.hasOwn(this.record, name) ? value : undefined;
  }
}

/** As `Params` reads a list index: one to nine ASCII digits. */
function isIndex(text: string): boolean {
  if (text.length === 0 || text.length > 9) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The faults of an entry that had none. */
const NO_FAULTS: unknown[] = [];

/** Shared by the writes that checked nothing: most of them. */
const NOTHING_CHECKED: readonly string[] = [];

type ReturnedRecord = NonNullable<NonNullable<AnalyzableEntry['read']>['returned']>;

/** Keys of the histories: account, domain and item (or account and domain), apart by a NUL. */
export const itemKey = (account: string, domain: string, item: string) => `${account}\u0000${domain}\u0000${item}`;
export const domainKey = (account: string, domain: string) => `${account}\u0000${domain}`;

/** The values of one returned item, by attribute, as the journal recorded them. */
export type ReturnedItem = Readonly<Record<string, readonly string[]>>;

/**
 * The journal's `read.returned.items`, when they have the shape the emulator writes: a list of
 * items, each a name and its lists of string values by attribute. A record of any other shape (a
 * file edited by hand, or written by something else) says nothing of what the read returned.
 */
function returnedItems(record: unknown): ReturnedRecord['items'] | undefined {
  const items: unknown = typeof record === 'object' && record !== null ? (record as { items?: unknown }).items : undefined;
  if (!Array.isArray(items)) return undefined;
  for (let i = 0; i < items.length; i++) {
    const it: unknown = items[i];
    if (typeof it !== 'object' || it === null) return undefined;
    const { name, attributes } = it as Record<string, unknown>;
    if (typeof name !== 'string' || typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) return undefined;
    // A walk of the names, not a list of the values: there is a record per read.
    for (const attribute in attributes) {
      if (!Object.hasOwn(attributes, attribute)) continue;
      const values: unknown = (attributes as Record<string, unknown>)[attribute];
      if (!Array.isArray(values)) return undefined;
      for (let j = 0; j < values.length; j++) if (typeof values[j] !== 'string') return undefined;
    }
  }
  return items as ReturnedRecord['items'];
}

/**
 * When the journal's `read.returned.items` (as `returnedItems` checked them) are one item, `item`,
 * with one attribute of one value (a counter, a status: what most reads return): that attribute's name.
 */
function oneValueOf(items: ReturnedRecord['items'], item: string): string | undefined {
  const only = items.length === 1 ? items[0] : undefined;
  if (only?.name !== item) return undefined;
  const record = only.attributes;
  let attribute: string | undefined;
  for (const name in record) {
    // One own name only, and no other enumerable one.
    if (attribute !== undefined || !Object.hasOwn(record, name)) return undefined;
    attribute = name;
  }
  return attribute !== undefined && (record[attribute] as readonly string[]).length === 1 ? attribute : undefined;
}

/**
 * What a read returned, item → attribute → values, over the journal's own record of it (no copy
 * into maps: a window holds tens of thousands of reads). As a map of the items would answer: the
 * last of a repeated item name.
 */
export class ReturnedItems {
  /** A read of one item keeps that item's values alone, not the list around them. */
  private readonly name: string | undefined;
  private readonly one: ReturnedItem | undefined;
  private readonly items: ReturnedRecord['items'] | undefined;

  /** The journal's `read.returned.items`. */
  constructor(items: ReturnedRecord['items']) {
    const only = items.length === 1 ? items[0] : undefined;
    this.name = only?.name;
    this.one = only?.attributes;
    this.items = only ? undefined : items;
  }

  /** The item's values by attribute (read them with `valuesOf`), or undefined when it was not returned. */
  get(item: string): ReturnedItem | undefined {
    if (!this.items) return item === this.name ? this.one : undefined;
    for (let i = this.items.length - 1; i >= 0; i--) {
      const it = this.items[i] as ReturnedRecord['items'][number];
      if (it.name === item) return it.attributes;
    }
    return undefined;
  }

  /** The attribute's values in the item (empty: it had none), or undefined when the item was not returned. */
  values(item: string, attribute: string): readonly string[] | undefined {
    const record = this.get(item);
    return record === undefined ? undefined : (valuesOf(record, attribute) ?? NO_VALUES);
  }

  /** The item names, each once, in the order first returned. */
  keys(): string[] {
    if (!this.items) return [this.name as string];
    return [...new Set(this.items.map((i) => i.name))];
  }
}

const NO_VALUES: readonly string[] = [];

/** An attribute's values in a returned item; undefined when it had none. */
export function valuesOf(item: ReturnedItem, attribute: string): readonly string[] | undefined {
  const values = item[attribute];
  // No inherited property of an object is an array: only a value of another type needs the own-property check.
  if (values === undefined || Array.isArray(values)) return values;
  return Object.hasOwn(item, attribute) ? values : undefined;
}

/** A domain's place, and its items'. */
interface DomainNames {
  place: Place;
  items: Map<string, Place>;
}

/**
 * The places of an analysis (domain and item names, and their keys), held once each: every
 * operation held refers to these instead of keeping strings of its own entry. Grows with the
 * items, as the histories do.
 */
export class Names {
  private readonly accounts = new Map<string, Map<string, DomainNames>>();
  private readonly lists = new Map<string, readonly string[]>();
  private places = 0;
  private last: DomainNames | undefined;

  domain(account: string, domain: string): DomainNames {
    // Most requests are to the domain of the one before: two lookups fewer for each.
    const last = this.last;
    if (last !== undefined && last.place.domain === domain && last.place.account === account) return last;
    this.last = this.find(account, domain);
    return this.last;
  }

  private find(account: string, domain: string): DomainNames {
    let domains = this.accounts.get(account);
    if (!domains) this.accounts.set(account, (domains = new Map()));
    let d = domains.get(domain);
    if (!d) domains.set(domain, (d = { place: { account, domain, item: undefined, key: domainKey(account, domain), index: this.places++ }, items: new Map() }));
    return d;
  }

  /** One name as a list, the same list for every write that checked that name alone (nearly every conditional write): no array of its own to hold. */
  one(name: string): readonly string[] {
    let list = this.lists.get(name);
    if (!list) this.lists.set(name, (list = [name]));
    return list;
  }

  item(d: DomainNames, item: string): Place {
    let i = d.items.get(item);
    if (!i) {
      const { account, domain } = d.place;
      d.items.set(item, (i = { account, domain, item, key: itemKey(account, domain, item), index: this.places++ }));
    }
    return i;
  }
}

/** The writes' action names as constants: an operation does not keep its entry's copy. */
const ACTIONS: Readonly<Record<string, string>> = {
  PutAttributes: 'PutAttributes',
  DeleteAttributes: 'DeleteAttributes',
  BatchPutAttributes: 'BatchPutAttributes',
  BatchDeleteAttributes: 'BatchDeleteAttributes',
};

/** Every `WriteOp.action`: what keeps one as a number keeps its index here. */
export const WRITE_ACTIONS: readonly string[] = Object.values(ACTIONS);

const isText = (v: unknown): boolean => v === undefined || typeof v === 'string';

function isAttributeList(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const a: unknown = v[i];
    if (typeof a !== 'object' || a === null) return false;
    const { name, value, replace } = a as Record<string, unknown>;
    if (typeof name !== 'string' || !isText(value) || typeof replace !== 'boolean') return false;
  }
  return true;
}

/**
 * The entry's `request`, the parameters as its action read them, which the emulator's journal
 * records beside `params`: taken as it is when it has the shape `readRequest` gives, so that a
 * million entries are not read a second time. Anything else (an older journal, a file edited by
 * hand) is undefined, and the entry's parameters are read instead.
 */
function recordedReading(value: unknown): RequestReading | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (!isText(r.domain)) return undefined;
  switch (r.action) {
    case 'GetAttributes':
      if (!isText(r.item) || typeof r.consistentRead !== 'boolean' || !Array.isArray(r.attributeNames)) return undefined;
      for (let i = 0; i < r.attributeNames.length; i++) if (typeof r.attributeNames[i] !== 'string') return undefined;
      return value as RequestReading;
    case 'Select':
      return isText(r.expression) && isText(r.nextToken) && typeof r.consistentRead === 'boolean' ? (value as RequestReading) : undefined;
    case 'PutAttributes':
    case 'DeleteAttributes':
      if (!isText(r.item) || !isAttributeList(r.attributes) || !Array.isArray(r.expected)) return undefined;
      for (let i = 0; i < r.expected.length; i++) {
        const x: unknown = r.expected[i];
        if (typeof x !== 'object' || x === null) return undefined;
        const { name, value: v, exists } = x as Record<string, unknown>;
        if (!isText(name) || !isText(v) || !isText(exists)) return undefined;
      }
      return value as RequestReading;
    case 'BatchPutAttributes':
    case 'BatchDeleteAttributes':
      if (!Array.isArray(r.items)) return undefined;
      for (let n = 0; n < r.items.length; n++) {
        const i: unknown = r.items[n];
        if (typeof i !== 'object' || i === null) return undefined;
        const { item, attributes } = i as Record<string, unknown>;
        if (typeof item !== 'string' || !isAttributeList(attributes)) return undefined;
      }
      return value as RequestReading;
    default:
      return undefined;
  }
}

/** One entry as an operation, or undefined when it neither read nor wrote item data. */
export function toOp(e: AnalyzableEntry, identity: number, names: Names = new Names()): Op | undefined {
  // The journal keeps parameters by name; the readers see them as the action did.
  const q = recordedReading(e.request) ?? readRequest(new RecordParams(e.params));
  const order = e.order ?? e.seq;
  const account = e.account ?? '';
  const applied = e.applied ?? e.code === 'Success';
  switch (q?.action) {
    case 'GetAttributes':
    case 'Select': {
      if (!applied) return undefined;
      let place: Place;
      let attributes: Set<string> | undefined;
      let predicate: Set<string> | undefined;
      if (q.action === 'GetAttributes') {
        if (q.domain === undefined || q.item === undefined) return undefined;
        place = names.item(names.domain(account, q.domain), q.item);
        attributes = q.attributeNames.length > 0 ? new Set(q.attributeNames) : undefined;
      } else {
        const shape = selectShape(q.expression ?? '');
        if (!shape) return undefined;
        place = names.domain(account, shape.domain).place;
        ({ attributes, predicate } = shape);
      }
      const stale = e.read?.stale === true && e.read.consistentRead !== true;
      const r = e.read?.returned;
      return readOp(e.seq, order, identity, place, stale, (r?.more ?? 0) > 0, stale ? e.read?.asOfSeq : undefined, returnedItems(r), e.operation, attributes, predicate);
    }
    case 'PutAttributes':
    case 'DeleteAttributes':
    case 'BatchPutAttributes':
    case 'BatchDeleteAttributes': {
      if (q.domain === undefined) return undefined;
      let lost: string | undefined;
      // Only a list of faults with their effects, as the emulator writes it, says what a fault did.
      const faults: unknown[] = Array.isArray(e.faults) ? e.faults : NO_FAULTS;
      for (let i = 0; i < faults.length; i++) {
        const f = faults[i];
        const effect: unknown = typeof f === 'object' && f !== null ? (f as { effect?: unknown }).effect : undefined;
        if (typeof effect !== 'string') continue;
        if (effect.startsWith('error:')) return undefined;
        if (lost === undefined && effect.startsWith('loseResponse:')) lost = effect;
      }
      const kind = q.action.includes('Put') ? 'put' : 'delete';
      const d = names.domain(account, q.domain);
      const expected = 'expected' in q ? q.expected : [];
      let checked: readonly string[] = NOTHING_CHECKED;
      for (let i = 0; i < expected.length; i++) {
        const x = expected[i] as (typeof expected)[number];
        if (x.name === undefined) continue;
        checked = checked.length === 0 ? names.one(x.name) : [...checked, x.name];
      }
      const lostResponse = applied ? lost : undefined;
      return {
        kind: 'write',
        seq: e.seq,
        order,
        identity,
        place: d.place,
        action: ACTIONS[q.action] as string,
        changes:
          'items' in q
            ? q.items.map((i) => toChange(i.attributes, kind, names.item(d, i.item)))
            : q.item === undefined
              ? []
              : [toChange(q.attributes, kind, names.item(d, q.item))],
        conditional: expected.length > 0,
        applied,
        conditionFailed: CONDITION_FAILURES.has(e.code),
        rare: e.operation === undefined && lostResponse === undefined ? undefined : { operation: e.operation, lostResponse },
        checked,
        atSeq: e.atSeq,
        writeSeq: e.writeSeq,
      };
    }
    default:
      return undefined;
  }
}

function toChange(attributes: ItemInput['attributes'], kind: 'put' | 'delete', place: Place): ItemChange {
  // Most changes only put, or only delete: the other list is the shared empty one. A list is
  // made as a literal of its first value: a push onto an empty array reserves room for seventeen.
  let puts: PutValue[] = NO_PUTS;
  let deletes: DeleteValue[] = NO_DELETES;
  for (let i = 0; i < attributes.length; i++) {
    const a = attributes[i] as ItemInput['attributes'][number];
    if (kind === 'put') {
      const put = { name: a.name, value: a.value ?? '', replace: a.replace };
      if (puts === NO_PUTS) puts = [put];
      else puts.push(put);
    } else {
      const del = a.value === undefined ? { name: a.name } : { name: a.name, value: a.value };
      if (deletes === NO_DELETES) deletes = [del];
      else deletes.push(del);
    }
  }
  return { place, puts, deletes, wholeItem: kind === 'delete' && attributes.length === 0 };
}

const NO_PUTS: PutValue[] = [];
const NO_DELETES: DeleteValue[] = [];

/** How many moves an insertion sort may make per element before the library's sort is cheaper. */
const NEARLY = 8;

/**
 * The operations by order, those of one order as they arrived (as a stable sort gives them).
 * They arrive nearly in order (a late answer is the exception): an insertion sort moves few of
 * them; a journal far out of order falls back to the library's sort.
 */
export function inOrder<T extends { order: number }>(ops: readonly T[]): T[] {
  return inOrderBy(ops, orderOf);
}

const orderOf = (op: { order: number }): number => op.order;

/** `inOrder` for what carries its order elsewhere (an item's writes: `w.op.order`). */
export function inOrderBy<T>(items: readonly T[], order: (item: T) => number): T[] {
  const out = items.slice();
  let budget = NEARLY * out.length;
  for (let i = 1; i < out.length; i++) {
    const item = out[i] as T;
    const o = order(item);
    let j = i;
    while (j > 0 && order(out[j - 1] as T) > o) {
      out[j] = out[j - 1] as T;
      j--;
      if (--budget < 0) return items.slice().sort((a, b) => order(a) - order(b));
    }
    out[j] = item;
  }
  return out;
}
