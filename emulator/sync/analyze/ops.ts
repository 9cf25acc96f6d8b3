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

export interface ItemChange {
  item: string;
  /** account, domain and item: the key the histories are kept by (`itemKey`), made once. */
  key: string;
  puts: PutValue[];
  /** Without a value: every value of the name. */
  deletes: { name: string; value?: string }[];
  /** DeleteAttributes without attributes: the whole item. */
  wholeItem: boolean;
}

interface OpBase {
  seq: number;
  /** Position in the order actions took effect (finish order for journals without it). */
  order: number;
  /** Index into the run's identities; resolved to a client name at the end. */
  identity: number;
  run: number;
  account: string;
  domain: string;
  action: string;
  /** The X-SimpleDB-Operation header it carried. */
  operation: string | undefined;
}

export interface ReadOp extends OpBase {
  kind: 'read';
  /** undefined: a Select, which counts as a read of every item of its domain. */
  item: string | undefined;
  /** `itemKey` of the item, or `domainKey` of the domain for a Select: made once. */
  key: string;
  /** undefined: every attribute. */
  attributes: ReadonlySet<string> | undefined;
  /** The emulator served it stale: it saw only writes up to `asOfSeq`. */
  stale: boolean;
  asOfSeq: number | undefined;
  /**
   * What it returned, item → attribute → values as `read.returned` records them; undefined when
   * the journal does not say (an older journal).
   */
  returned: ReturnedItems | undefined;
  /** The journal recorded only some of the items it returned (`read.returned.more`). */
  partial: boolean;
  /** A Select with a where clause: the attributes it names (a write to them may change what it matches); undefined otherwise. */
  predicate: ReadonlySet<string> | undefined;
}

export interface WriteOp extends OpBase {
  kind: 'write';
  changes: ItemChange[];
  conditional: boolean;
  /** The action ran to success: its change is in the store. */
  applied: boolean;
  /** The fault effect that lost its response, when one did. */
  lostResponse: string | undefined;
  /** The condition was checked and failed. */
  conditionFailed: boolean;
  /** The attributes its `Expected` conditions named: when it was applied, they held their expected state. */
  checked: readonly string[];
  atSeq: number | undefined;
  writeSeq: number | undefined;
}

export type Op = ReadOp | WriteOp;

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

/** Shared by the writes that checked nothing: most of them. */
const NOTHING_CHECKED: readonly string[] = [];

type ReturnedRecord = NonNullable<NonNullable<AnalyzableEntry['read']>['returned']>;

/** Keys of the histories: account, domain and item (or account and domain), apart by a NUL. */
export const itemKey = (account: string, domain: string, item: string) => `${account}\u0000${domain}\u0000${item}`;
export const domainKey = (account: string, domain: string) => `${account}\u0000${domain}`;

/** The values of one returned item, by attribute, as the journal recorded them. */
export type ReturnedItem = Readonly<Record<string, readonly string[]>>;

/** One item returned with one attribute of one value (a counter, a status): what most reads return. */
export interface OneValue {
  name: string;
  attribute: string;
  value: string;
}

/**
 * What a read returned, item → attribute → values, over the journal's own record of it (no copy
 * into maps: a window holds tens of thousands of reads). As a map of the items would answer: the
 * last of a repeated item name.
 */
export class ReturnedItems {
  /** A read of one item (nearly every one) keeps that item's values alone, not the list around them. */
  private readonly name: string | undefined;
  /**
   * ... and when the item had one attribute of one value (a counter, a status), its name here and
   * the list of that one value in `one`, without the record around them: each object a held read
   * keeps alive is copied by every young-generation collection until the window drops it. The
   * list is kept rather than the value, so that a look at the values makes no list each time.
   */
  private readonly attribute: string | undefined;
  /** With `attribute`: its list of one value, as the journal's record held it; else the item's record. */
  private readonly one: ReturnedItem | readonly string[] | undefined;
  private readonly items: ReturnedRecord['items'] | undefined;

  /** The journal's `read.returned.items`, or what `single()` gave, for a read rebuilt from it (lastreads.ts). */
  constructor(from: ReturnedRecord['items'] | OneValue) {
    if (!Array.isArray(from)) {
      this.name = from.name;
      this.items = undefined;
      this.attribute = from.attribute;
      this.one = [from.value];
      return;
    }
    const items = from;
    const only = items.length === 1 ? items[0] : undefined;
    this.name = only?.name;
    this.items = only ? undefined : items;
    const record: unknown = only?.attributes;
    let attribute: string | undefined;
    if (typeof record === 'object' && record !== null) {
      for (const name in record) {
        // One own name only, and no other enumerable one: anything else keeps the record itself.
        if (attribute !== undefined || !Object.hasOwn(record, name)) {
          attribute = undefined;
          break;
        }
        attribute = name;
      }
    }
    const values = attribute === undefined ? undefined : (record as Record<string, unknown>)[attribute];
    if (Array.isArray(values) && values.length === 1 && typeof values[0] === 'string') {
      this.attribute = attribute;
      this.one = values as string[];
    } else {
      this.attribute = undefined;
      this.one = only?.attributes;
    }
  }

  /** The item's values by attribute (read them with `valuesOf`), or undefined when it was not returned. */
  get(item: string): ReturnedItem | undefined {
    if (!this.items) {
      if (item !== this.name) return undefined;
      // A computed key defines an own property, whatever the name (`__proto__` included), as JSON.parse did.
      return this.attribute === undefined ? (this.one as ReturnedItem | undefined) : { [this.attribute]: this.one as readonly string[] };
    }
    for (let i = this.items.length - 1; i >= 0; i--) {
      const it = this.items[i] as ReturnedRecord['items'][number];
      if (it.name === item) return it.attributes;
    }
    return undefined;
  }

  /**
   * The attribute's values in the item (empty: it had none), or undefined when the item was not
   * returned: `get` and `valuesOf` without an object made for the one-value read.
   */
  values(item: string, attribute: string): readonly string[] | undefined {
    if (!this.items && this.attribute !== undefined) {
      if (item !== this.name) return undefined;
      return attribute === this.attribute ? (this.one as readonly string[]) : NO_VALUES;
    }
    const record = this.get(item);
    return record === undefined ? undefined : (valuesOf(record, attribute) ?? NO_VALUES);
  }

  /** When it returned one item with one attribute of one value: the three of them. */
  single(): OneValue | undefined {
    return this.attribute === undefined ? undefined : { name: this.name as string, attribute: this.attribute, value: (this.one as readonly string[])[0] as string };
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

interface DomainNames {
  domain: string;
  key: string;
  items: Map<string, { item: string; key: string }>;
}

/**
 * The domain and item names of an analysis, and their keys, held once each: every operation
 * held refers to these instead of keeping strings of its own entry (fewer objects for the
 * collector to copy while a window is held). Grows with the items, as the histories do.
 */
export class Names {
  private readonly accounts = new Map<string, Map<string, DomainNames>>();
  private readonly lists = new Map<string, readonly string[]>();

  domain(account: string, domain: string): DomainNames {
    let domains = this.accounts.get(account);
    if (!domains) this.accounts.set(account, (domains = new Map()));
    let d = domains.get(domain);
    if (!d) domains.set(domain, (d = { domain, key: domainKey(account, domain), items: new Map() }));
    return d;
  }

  /** One name as a list, the same list for every write that checked that name alone (nearly every conditional write): no array of its own to hold. */
  one(name: string): readonly string[] {
    let list = this.lists.get(name);
    if (!list) this.lists.set(name, (list = [name]));
    return list;
  }

  item(account: string, d: DomainNames, item: string): { item: string; key: string } {
    let i = d.items.get(item);
    if (!i) d.items.set(item, (i = { item, key: itemKey(account, d.domain, item) }));
    return i;
  }
}

/** The actions' names as constants: an operation does not keep its entry's copy. */
const ACTIONS: Readonly<Record<string, string>> = {
  GetAttributes: 'GetAttributes',
  Select: 'Select',
  PutAttributes: 'PutAttributes',
  DeleteAttributes: 'DeleteAttributes',
  BatchPutAttributes: 'BatchPutAttributes',
  BatchDeleteAttributes: 'BatchDeleteAttributes',
};

const isText = (v: unknown): boolean => v === undefined || typeof v === 'string';

function isAttributeList(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const a of v as unknown[]) {
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
      for (const n of r.attributeNames as unknown[]) if (typeof n !== 'string') return undefined;
      return value as RequestReading;
    case 'Select':
      return isText(r.expression) && isText(r.nextToken) && typeof r.consistentRead === 'boolean' ? (value as RequestReading) : undefined;
    case 'PutAttributes':
    case 'DeleteAttributes':
      if (!isText(r.item) || !isAttributeList(r.attributes) || !Array.isArray(r.expected)) return undefined;
      for (const x of r.expected as unknown[]) {
        if (typeof x !== 'object' || x === null) return undefined;
        const { name, value: v, exists } = x as Record<string, unknown>;
        if (!isText(name) || !isText(v) || !isText(exists)) return undefined;
      }
      return value as RequestReading;
    case 'BatchPutAttributes':
    case 'BatchDeleteAttributes':
      if (!Array.isArray(r.items)) return undefined;
      for (const i of r.items as unknown[]) {
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
export function toOp(e: AnalyzableEntry, identity: number, run: number, names: Names = new Names()): Op | undefined {
  // The journal keeps parameters by name; the readers see them as the action did.
  const q = recordedReading(e.request) ?? readRequest(new RecordParams(e.params));
  const order = e.order ?? e.seq;
  const account = e.account ?? '';
  const applied = e.applied ?? e.code === 'Success';
  // Every operation is built by one literal of each kind, so that they all share one shape.
  switch (q?.action) {
    case 'GetAttributes':
    case 'Select': {
      if (!applied) return undefined;
      let d: DomainNames;
      let item: { item: string; key: string } | undefined;
      let attributes: Set<string> | undefined;
      let predicate: Set<string> | undefined;
      if (q.action === 'GetAttributes') {
        if (q.domain === undefined || q.item === undefined) return undefined;
        d = names.domain(account, q.domain);
        item = names.item(account, d, q.item);
        attributes = q.attributeNames.length > 0 ? new Set(q.attributeNames) : undefined;
      } else {
        const shape = selectShape(q.expression ?? '');
        if (!shape) return undefined;
        d = names.domain(account, shape.domain);
        ({ attributes, predicate } = shape);
      }
      const stale = e.read?.stale === true && e.read.consistentRead !== true;
      const r = e.read?.returned;
      return {
        kind: 'read',
        seq: e.seq,
        order,
        identity,
        run,
        account,
        operation: e.operation,
        action: ACTIONS[q.action] as string,
        domain: d.domain,
        item: item?.item,
        key: item === undefined ? d.key : item.key,
        attributes,
        stale,
        asOfSeq: stale ? e.read?.asOfSeq : undefined,
        returned: r === undefined ? undefined : new ReturnedItems(r.items),
        partial: (r?.more ?? 0) > 0,
        predicate,
      };
    }
    case 'PutAttributes':
    case 'DeleteAttributes':
    case 'BatchPutAttributes':
    case 'BatchDeleteAttributes': {
      if (q.domain === undefined) return undefined;
      let lost: string | undefined;
      for (const f of e.faults ?? []) {
        if (f.effect.startsWith('error:')) return undefined;
        if (lost === undefined && f.effect.startsWith('loseResponse:')) lost = f.effect;
      }
      const kind = q.action.includes('Put') ? 'put' : 'delete';
      const d = names.domain(account, q.domain);
      const expected = 'expected' in q ? q.expected : [];
      let checked: readonly string[] = NOTHING_CHECKED;
      for (const x of expected) {
        if (x.name === undefined) continue;
        checked = checked.length === 0 ? names.one(x.name) : [...checked, x.name];
      }
      return {
        kind: 'write',
        seq: e.seq,
        order,
        identity,
        run,
        account,
        operation: e.operation,
        action: ACTIONS[q.action] as string,
        domain: d.domain,
        changes:
          'items' in q
            ? q.items.map((i) => toChange(i.attributes, kind, names.item(account, d, i.item)))
            : q.item === undefined
              ? []
              : [toChange(q.attributes, kind, names.item(account, d, q.item))],
        conditional: expected.length > 0,
        applied,
        lostResponse: applied ? lost : undefined,
        conditionFailed: CONDITION_FAILURES.has(e.code),
        checked,
        atSeq: e.atSeq,
        writeSeq: e.writeSeq,
      };
    }
    default:
      return undefined;
  }
}

function toChange(attributes: ItemInput['attributes'], kind: 'put' | 'delete', { item, key }: { item: string; key: string }): ItemChange {
  // Most changes only put, or only delete: the other list is the shared empty one. A list is
  // made as a literal of its first value: a push onto an empty array reserves room for seventeen.
  let puts: PutValue[] = NO_PUTS;
  let deletes: ItemChange['deletes'] = NO_DELETES;
  for (const a of attributes) {
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
  return { item, key, puts, deletes, wholeItem: kind === 'delete' && attributes.length === 0 };
}

const NO_PUTS: PutValue[] = [];
const NO_DELETES: ItemChange['deletes'] = [];

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
