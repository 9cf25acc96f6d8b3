import type { Emulator } from '../../emulator/index.js';
import { parseSelectResult, type ResultItem } from './support.js';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One form-encoded POST, as SDKs send it. */
export async function post(emu: Emulator, params: Record<string, string>): Promise<HttpAnswer> {
  const res = await fetch(emu.url + '/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({ Version: '2009-04-15', ...params }).toString(),
  });
  return { status: res.status, body: await res.text() };
}

export async function selectPage(
  emu: Emulator,
  expression: string,
  nextToken?: string,
): Promise<{ items: ResultItem[]; nextToken?: string }> {
  const params: Record<string, string> = { Action: 'Select', SelectExpression: expression };
  if (nextToken !== undefined) params.NextToken = nextToken;
  const r = await post(emu, params);
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.body}`);
  const inner = /<SelectResult\/>|<SelectResult>[\s\S]*<\/SelectResult>/.exec(r.body)?.[0] ?? '';
  return parseSelectResult(inner);
}

export async function selectAll(emu: Emulator, expression: string): Promise<ResultItem[]> {
  const out: ResultItem[] = [];
  let token: string | undefined;
  do {
    const page = await selectPage(emu, expression, token);
    out.push(...page.items);
    token = page.nextToken;
  } while (token !== undefined);
  return out;
}
