import { parseSelect } from '../select/parser.js';
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
}

export interface ReadOp extends OpBase {
  kind: 'read';
  /** undefined: a Select, which counts as a read of every item of its domain. */
  item: string | undefined;
  /** undefined: every attribute. */
  attributes: ReadonlySet<string> | undefined;
  /** The emulator served it stale: it saw only writes up to `asOfSeq`. */
  stale: boolean;
  asOfSeq: number | undefined;
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
  atSeq: number | undefined;
  writeSeq: number | undefined;
}

export type Op = ReadOp | WriteOp;

/** The codes of a conditional check that failed (Developer Guide, "Conditional Put/Delete"). */
const CONDITION_FAILURES: ReadonlySet<string> = new Set(['ConditionalCheckFailed', 'AttributeDoesNotExist', 'MultiValuedAttribute']);

const ATTRIBUTE = /^Attribute\.(\d+)\.(Name|Value|Replace)$/;
const ITEM = /^Item\.(\d+)\.(?:ItemName|Attribute\.(\d+)\.(Name|Value|Replace))$/;
const ATTRIBUTE_NAME = /^AttributeName\.\d+$/;

interface Slot {
  name?: string;
  value?: string;
  replace?: string;
}

function slot(map: Map<string, Slot>, key: string): Slot {
  let s = map.get(key);
  if (!s) map.set(key, (s = {}));
  return s;
}

function fill(s: Slot, part: string | undefined, value: string): void {
  if (part === 'Name') s.name = value;
  else if (part === 'Value') s.value = value;
  else s.replace = value;
}

function toChange(item: string, slots: Iterable<Slot>, kind: 'put' | 'delete'): ItemChange {
  const change: ItemChange = { item, puts: [], deletes: [], wholeItem: false };
  let any = false;
  for (const s of slots) {
    if (s.name === undefined) continue;
    any = true;
    if (kind === 'put') change.puts.push({ name: s.name, value: s.value ?? '', replace: s.replace?.toLowerCase() === 'true' });
    else change.deletes.push(s.value === undefined ? { name: s.name } : { name: s.name, value: s.value });
  }
  if (kind === 'delete' && !any) change.wholeItem = true;
  return change;
}

function singleItemChange(params: Record<string, string>, kind: 'put' | 'delete'): ItemChange[] {
  const item = params.ItemName;
  if (item === undefined) return [];
  const slots = new Map<string, Slot>();
  for (const key in params) {
    const m = ATTRIBUTE.exec(key);
    if (m) fill(slot(slots, m[1] ?? ''), m[2], params[key] ?? '');
  }
  return [toChange(item, slots.values(), kind)];
}

function batchChanges(params: Record<string, string>, kind: 'put' | 'delete'): ItemChange[] {
  const items = new Map<string, { name?: string; slots: Map<string, Slot> }>();
  for (const key in params) {
    const m = ITEM.exec(key);
    if (!m) continue;
    const n = m[1] ?? '';
    let it = items.get(n);
    if (!it) items.set(n, (it = { slots: new Map() }));
    if (m[2] === undefined) it.name = params[key];
    else fill(slot(it.slots, m[2]), m[3], params[key] ?? '');
  }
  const out: ItemChange[] = [];
  for (const it of items.values()) if (it.name !== undefined) out.push(toChange(it.name, it.slots.values(), kind));
  return out;
}

function readAttributes(params: Record<string, string>): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (const key in params) if (ATTRIBUTE_NAME.test(key)) (names ??= new Set()).add(params[key] ?? '');
  return names;
}

/** The domain and the attributes a Select returns values of; undefined when it returns none. */
function selectShape(expression: string): { domain: string; attributes: Set<string> | undefined } | undefined {
  try {
    const q = parseSelect(expression);
    if (q.output.kind === 'all') return { domain: q.domain, attributes: undefined };
    if (q.output.kind === 'attrs') return { domain: q.domain, attributes: new Set(q.output.names) };
    return undefined;
  } catch {
    return undefined;
  }
}

function hasCondition(params: Record<string, string>): boolean {
  for (const key in params) if (key.startsWith('Expected.')) return true;
  return false;
}

/** One entry as an operation, or undefined when it neither read nor wrote item data. */
export function toOp(e: AnalyzableEntry, identity: number, run: number): Op | undefined {
  const p = e.params;
  const base = { seq: e.seq, order: e.order ?? e.seq, identity, run, account: e.account ?? '' };
  const applied = e.applied ?? e.code === 'Success';
  const injectedError = e.faults?.some((f) => f.effect.startsWith('error:')) ?? false;
  switch (e.action) {
    case 'GetAttributes':
    case 'Select': {
      if (!applied) return undefined;
      const stale = e.read?.stale === true && e.read.consistentRead !== true;
      const view = { stale, asOfSeq: stale ? e.read?.asOfSeq : undefined };
      if (e.action === 'GetAttributes') {
        const domain = p.DomainName;
        if (domain === undefined || p.ItemName === undefined) return undefined;
        return { kind: 'read', ...base, action: e.action, domain, item: p.ItemName, attributes: readAttributes(p), ...view };
      }
      const shape = selectShape(p.SelectExpression ?? '');
      if (!shape) return undefined;
      return { kind: 'read', ...base, action: e.action, domain: shape.domain, item: undefined, attributes: shape.attributes, ...view };
    }
    case 'PutAttributes':
    case 'DeleteAttributes':
    case 'BatchPutAttributes':
    case 'BatchDeleteAttributes': {
      const domain = p.DomainName;
      if (domain === undefined || injectedError) return undefined;
      const kind = e.action.includes('Put') ? 'put' : 'delete';
      const changes = e.action.startsWith('Batch') ? batchChanges(p, kind) : singleItemChange(p, kind);
      const lost = e.faults?.find((f) => f.effect.startsWith('loseResponse:'));
      return {
        kind: 'write',
        ...base,
        action: e.action,
        domain,
        changes,
        conditional: hasCondition(p),
        applied,
        lostResponse: applied && lost ? lost.effect : undefined,
        conditionFailed: CONDITION_FAILURES.has(e.code),
        atSeq: e.atSeq,
        writeSeq: e.writeSeq,
      };
    }
    default:
      return undefined;
  }
}
