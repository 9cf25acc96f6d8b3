import { SimpleDBClient } from '../../client/index.js';
import type { Emulator } from '../../emulator/index.js';
import { jsonOrUndefined } from '../support/json.js';

export interface Key {
  accessKeyId: string;
  secretAccessKey: string;
  account?: string;
}

export const ALICE: Key = { accessKeyId: 'AKIDALICE', secretAccessKey: 'alice-secret', account: 'alice' };
export const BOB: Key = { accessKeyId: 'AKIDBOB', secretAccessKey: 'bob-secret' };
export const EVIL = 'http://evil.example';
export const JSON_TYPE = 'application/json';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON. */
  json: unknown;
}

export interface RequestShape {
  method?: string;
  /** HTTP Basic credentials. */
  as?: Key;
  headers?: Record<string, string>;
  body?: string;
}

/** One request to the emulator, with fetch (which lets a test set Origin and Sec-Fetch-Site). */
export async function request(emu: Emulator, path: string, shape: RequestShape = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...shape.headers };
  if (shape.as) headers.authorization = basic(shape.as);
  const res = await fetch(`${emu.url}${path}`, { method: shape.method ?? 'GET', headers, body: shape.body });
  const text = await res.text();
  const json = jsonOrUndefined(text);
  return { status: res.status, headers: res.headers, text, json };
}

export function basic(key: Key): string {
  return `Basic ${Buffer.from(`${key.accessKeyId}:${key.secretAccessKey}`).toString('base64')}`;
}

/** The error code of a control route's JSON error. */
export function codeOf(answer: Answer): string | undefined {
  const body = answer.json as { error?: { code?: string } } | undefined;
  return body?.error?.code;
}

/** The project's own client, signing as `key`; one attempt, so a refusal is seen as it is. */
export function clientFor(emu: Emulator, key: Key): SimpleDBClient {
  return new SimpleDBClient({ endpoint: emu.url, region: 'us-east-1', credentials: key, maxAttempts: 1 });
}
