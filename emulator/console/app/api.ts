import type { Analysis as AnalysisResult, ClientSummary } from '../../sync/analyze/types.js';
import type { JournalEntry } from '../../core/wire.js';

/**
 * The page's two ways to the emulator: protocol actions through POST /_simpledb/action (the
 * same pipeline and XML answers as the protocol route) and the JSON control routes.
 */

/** Every request of the console is journalled under this client name. */
export const CLIENT_NAME = 'console';

const JSON_HEADERS = { 'Content-Type': 'application/json', 'X-SimpleDB-Client': CLIENT_NAME };

export interface SdbFailure {
  code: string;
  message: string;
  status: number;
  /** Where a Select expression's syntax error is, when the emulator could tell. */
  position?: number;
}

export class ActionError extends Error {
  constructor(readonly failure: SdbFailure) {
    super(`${failure.code}: ${failure.message}`);
  }
}

/** Runs one protocol action; resolves with its XML result document, rejects with the service's error. */
export async function action(params: Record<string, string>): Promise<Document> {
  let res: Response;
  try {
    res = await fetch('/_simpledb/action', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(params) });
  } catch (err) {
    throw new ActionError({ code: 'NetworkError', message: `the emulator did not answer (${String(err)})`, status: 0 });
  }
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('xml')) throw new ActionError({ code: `HTTP ${res.status}`, message: jsonMessage(text), status: res.status });
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (res.ok) return doc;
  const at = res.headers.get('x-simpledb-error-position');
  throw new ActionError({
    code: first(doc, 'Code') ?? `HTTP ${res.status}`,
    message: first(doc, 'Message') ?? text,
    status: res.status,
    ...(at === null ? {} : { position: Number(at) }),
  });
}

function jsonMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    return body.error?.message ?? text;
  } catch {
    return text || 'no answer';
  }
}

/** A control route: JSON in, JSON out; a `{error: {message}}` answer becomes an Error. */
export async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: JSON_HEADERS };
  if (method !== 'GET') init.body = JSON.stringify(body ?? {});
  const res = await fetch(`/_simpledb/${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status}: ${jsonMessage(text)}`);
  return JSON.parse(text) as T;
}

/** Element text, decoding the base64 SimpleDB uses for characters XML cannot carry. */
export function text(el: Element): string {
  const raw = el.textContent ?? '';
  if (el.getAttribute('encoding') !== 'base64') return raw;
  const bytes = Uint8Array.from(atob(raw), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export function first(parent: Document | Element, tag: string): string | undefined {
  const el = parent.getElementsByTagName(tag)[0];
  return el ? text(el) : undefined;
}

export function children(parent: Element | Document, tag: string): Element[] {
  const root = parent instanceof Document ? parent.documentElement : parent;
  return [...root.getElementsByTagName(tag)].filter((e) => e.parentElement === root || e.parentElement?.parentElement === root);
}

/** Attributes as name → values, in the order the service listed them. */
export type Attributes = Map<string, string[]>;

export function attributesOf(parent: Element): Attributes {
  const out: Attributes = new Map();
  for (const a of [...parent.children].filter((c) => c.localName === 'Attribute')) {
    const name = first(a, 'Name') ?? '';
    const value = first(a, 'Value') ?? '';
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

export interface SelectPage {
  items: { name: string; attributes: Attributes }[];
  nextToken: string | undefined;
}

export async function select(expression: string, consistent: boolean, nextToken?: string): Promise<SelectPage> {
  const params: Record<string, string> = { Action: 'Select', SelectExpression: expression, ConsistentRead: String(consistent) };
  if (nextToken) params.NextToken = nextToken;
  const doc = await action(params);
  const result = doc.getElementsByTagName('SelectResult')[0];
  const items = result ? [...result.children].filter((c) => c.localName === 'Item') : [];
  return {
    items: items.map((item) => ({ name: first(item, 'Name') ?? '', attributes: attributesOf(item) })),
    nextToken: result ? [...result.children].find((c) => c.localName === 'NextToken')?.textContent ?? undefined : undefined,
  };
}

/** A name inside backticks, as the Select grammar quotes identifiers. */
export const quoteName = (name: string): string => '`' + name.replaceAll('`', '``') + '`';

export interface DomainFigures {
  itemCount: number;
  attributeNameCount: number;
  attributeValueCount: number;
  bytes: number;
}

export async function domainMetadata(domain: string): Promise<DomainFigures> {
  const doc = await action({ Action: 'DomainMetadata', DomainName: domain });
  const n = (tag: string) => Number(first(doc, tag) ?? 0);
  return {
    itemCount: n('ItemCount'),
    attributeNameCount: n('AttributeNameCount'),
    attributeValueCount: n('AttributeValueCount'),
    bytes: n('ItemNamesSizeBytes') + n('AttributeNamesSizeBytes') + n('AttributeValuesSizeBytes'),
  };
}

export async function listDomains(): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  // Bounded: 100 pages of 100 is the service's default domain limit many times over.
  for (let page = 0; page < 100; page++) {
    const doc = await action({ Action: 'ListDomains', ...(token ? { NextToken: token } : {}) });
    names.push(...[...doc.getElementsByTagName('DomainName')].map(text));
    token = first(doc, 'NextToken');
    if (!token) break;
  }
  return names;
}

export async function getAttributes(domain: string, item: string): Promise<Attributes> {
  const doc = await action({ Action: 'GetAttributes', DomainName: domain, ItemName: item, ConsistentRead: 'true' });
  const result = doc.getElementsByTagName('GetAttributesResult')[0];
  return result ? attributesOf(result) : new Map();
}

export interface JournalPage {
  latestSeq: number;
  entries: JournalEntry[];
}

/** Who sent an entry: the X-SimpleDB-Client name when there is one, else its User-Agent's product. */
export function clientOf(e: JournalEntry): string {
  if (e.client) return e.client;
  const ua = e.userAgent ?? '';
  if (ua === '') return 'unknown';
  return ua.split(' ')[0] ?? ua;
}

/**
 * Who sent an entry as the analysis tells clients apart (docs/analyze.md, "Clients"): its
 * X-SimpleDB-Client name, else the client of its keep-alive connection, else its User-Agent and
 * key; `clientOf` for an entry the analysis did not see.
 */
export function clientResolver(clients: readonly ClientSummary[]): (e: JournalEntry) => string {
  const byConnection = new Map<number, string>();
  for (const c of clients) if (c.by === 'connection') for (const n of c.connections) byConnection.set(n, c.id);
  return (e) => {
    if (e.client) return e.client;
    const named = byConnection.get(e.connection);
    if (named !== undefined) return named;
    return clients.find((c) => c.by === 'user-agent' && c.userAgent === e.userAgent && c.keyHash === e.keyHash)?.id ?? clientOf(e);
  };
}

export const ACTIONS = [
  'BatchDeleteAttributes', 'BatchPutAttributes', 'CreateDomain', 'DeleteAttributes', 'DeleteDomain', 'DomainMetadata',
  'GetAttributes', 'ListDomains', 'PutAttributes', 'Select',
] as const;

export type { Analysis as AnalysisResult, Finding } from '../../sync/analyze/types.js';
export type { JournalEntry };

export const analysis = (): Promise<AnalysisResult> => control<AnalysisResult>('GET', 'analysis');
