import { readRequest, type ItemInput } from '../../actions/readers.js';
import { Params } from '../../core/params.js';
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
  /** undefined: every attribute. */
  attributes: ReadonlySet<string> | undefined;
  /** The emulator served it stale: it saw only writes up to `asOfSeq`. */
  stale: boolean;
  asOfSeq: number | undefined;
  /**
   * What it returned, item → attribute → values as `read.returned` records them; undefined when
   * the journal does not say (an older journal).
   */
  returned: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>> | undefined;
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
  checked: ReadonlySet<string>;
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

/** One entry as an operation, or undefined when it neither read nor wrote item data. */
export function toOp(e: AnalyzableEntry, identity: number, run: number): Op | undefined {
  // The journal keeps parameters by name; the readers see them as the action did.
  const q = readRequest(new Params(Object.entries(e.params)));
  const base = { seq: e.seq, order: e.order ?? e.seq, identity, run, account: e.account ?? '', operation: e.operation };
  const applied = e.applied ?? e.code === 'Success';
  const injectedError = e.faults?.some((f) => f.effect.startsWith('error:')) ?? false;
  switch (q?.action) {
    case 'GetAttributes':
    case 'Select': {
      if (!applied) return undefined;
      const stale = e.read?.stale === true && e.read.consistentRead !== true;
      const r = e.read?.returned;
      const view = {
        stale,
        asOfSeq: stale ? e.read?.asOfSeq : undefined,
        returned: r === undefined ? undefined : new Map(r.items.map((i) => [i.name, new Map(Object.entries(i.attributes))])),
        partial: (r?.more ?? 0) > 0,
      };
      if (q.action === 'GetAttributes') {
        if (q.domain === undefined || q.item === undefined) return undefined;
        const attributes = q.attributeNames.length > 0 ? new Set(q.attributeNames) : undefined;
        return { kind: 'read', ...base, action: q.action, domain: q.domain, item: q.item, attributes, ...view, predicate: undefined };
      }
      const shape = selectShape(q.expression ?? '');
      if (!shape) return undefined;
      return { kind: 'read', ...base, action: q.action, domain: shape.domain, item: undefined, attributes: shape.attributes, ...view, predicate: shape.predicate };
    }
    case 'PutAttributes':
    case 'DeleteAttributes':
    case 'BatchPutAttributes':
    case 'BatchDeleteAttributes': {
      if (q.domain === undefined || injectedError) return undefined;
      const kind = q.action.includes('Put') ? 'put' : 'delete';
      const inputs: readonly ItemInput[] = 'items' in q ? q.items : q.item === undefined ? [] : [{ item: q.item, attributes: q.attributes }];
      const lost = e.faults?.find((f) => f.effect.startsWith('loseResponse:'));
      return {
        kind: 'write',
        ...base,
        action: q.action,
        domain: q.domain,
        changes: inputs.map((i) => toChange(i, kind)),
        conditional: 'expected' in q && q.expected.length > 0,
        checked: new Set('expected' in q ? q.expected.flatMap((x) => (x.name === undefined ? [] : [x.name])) : []),
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

function toChange(input: ItemInput, kind: 'put' | 'delete'): ItemChange {
  const change: ItemChange = { item: input.item, puts: [], deletes: [], wholeItem: false };
  for (const a of input.attributes) {
    if (kind === 'put') change.puts.push({ name: a.name, value: a.value ?? '', replace: a.replace });
    else change.deletes.push(a.value === undefined ? { name: a.name } : { name: a.name, value: a.value });
  }
  if (kind === 'delete' && input.attributes.length === 0) change.wholeItem = true;
  return change;
}
