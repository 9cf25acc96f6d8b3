/**
 * Plain HTTP to the emulator, so these reproductions show the wire exchange a client makes
 * (and do not depend on any client's retry policy unless a test chooses one).
 */
import { exactXmlParser } from './xml.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { jsonOrUndefined } from './json.js';

export interface Reply {
  status: number;
  /** Error code, or undefined on success. */
  code: string | undefined;
  xml: string;
}

/** A clock the test moves by hand: staleness is measured on it, never on real time. */
export class ManualClock {
  constructor(public ms = Date.UTC(2024, 0, 1)) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ port: 0, ...options });
}

/** One protocol request; `agent` names the worker in the journal (its User-Agent). */
export async function call(
  emu: Emulator,
  action: string,
  params: Record<string, string>,
  agent = 'sync-tests',
): Promise<Reply> {
  const body = new URLSearchParams({ Action: action, Version: '2009-04-15', ...params });
  const res = await fetch(emu.url + '/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': agent },
    body,
  });
  const xml = await res.text();
  return { status: res.status, code: /<Code>([^<]*)<\/Code>/.exec(xml)?.[1], xml };
}

export async function ok(emu: Emulator, action: string, params: Record<string, string>, agent?: string): Promise<Reply> {
  const r = await call(emu, action, params, agent);
  if (r.status !== 200) throw new Error(`${action} answered ${r.status} ${r.code}`);
  return r;
}

const parser = exactXmlParser(['Attribute', 'Item']);

/** `name → values` of a GetAttributes answer. */
export function attributesOf(xml: string): Record<string, string[]> {
  const doc = parser.parse(xml) as {
    GetAttributesResponse?: { GetAttributesResult?: { Attribute?: { Name: string; Value: string }[] } | '' };
  };
  const result = doc.GetAttributesResponse?.GetAttributesResult;
  const out: Record<string, string[]> = {};
  for (const a of (result && result.Attribute) || []) (out[a.Name] ??= []).push(a.Value);
  return out;
}

/** Item names of a Select answer. */
export function itemNamesOf(xml: string): string[] {
  const doc = parser.parse(xml) as { SelectResponse?: { SelectResult?: { Item?: { Name: string }[] } | '' } };
  const result = doc.SelectResponse?.SelectResult;
  return ((result && result.Item) || []).map((i) => i.Name);
}

export async function createDomain(emu: Emulator, domain: string): Promise<void> {
  await ok(emu, 'CreateDomain', { DomainName: domain });
}

/** PutAttributes with Replace=true on every pair, optionally conditional on Expected.*. */
export function put(
  emu: Emulator,
  domain: string,
  item: string,
  attrs: Record<string, string>,
  extra: Record<string, string> = {},
  agent?: string,
): Promise<Reply> {
  const params: Record<string, string> = { DomainName: domain, ItemName: item, ...extra };
  Object.entries(attrs).forEach(([name, value], i) => {
    params[`Attribute.${i + 1}.Name`] = name;
    params[`Attribute.${i + 1}.Value`] = value;
    params[`Attribute.${i + 1}.Replace`] = 'true';
  });
  return call(emu, 'PutAttributes', params, agent);
}

export async function get(
  emu: Emulator,
  domain: string,
  item: string,
  consistent: boolean,
  agent?: string,
): Promise<Record<string, string[]>> {
  const r = await ok(emu, 'GetAttributes', { DomainName: domain, ItemName: item, ConsistentRead: String(consistent) }, agent);
  return attributesOf(r.xml);
}

export async function select(emu: Emulator, expression: string, consistent: boolean): Promise<string[]> {
  const r = await ok(emu, 'Select', { SelectExpression: expression, ConsistentRead: String(consistent) });
  return itemNamesOf(r.xml);
}

/** The control routes, as JSON. */
export async function control(
  emu: Emulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; text: string; type: string | null }> {
  const res = await fetch(`${emu.url}/_simpledb/${path}`, {
    method,
    // The control guard takes state-changing requests only as JSON.
    ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/json' } }),
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  const json = jsonOrUndefined(text);
  return { status: res.status, json, text, type: res.headers.get('content-type') };
}
