/**
 * Counter contention: workers increment one counter for a fixed time by read-modify-write,
 * each write conditional on the value read (PutAttributes with Expected), retrying on
 * ConditionalCheckFailed. Exactness: the final value must equal the successful increments.
 * Requests go through an undici Pool (one keep-alive connection per worker): fetch costs
 * several times more client CPU per request, and the client shares its core with nothing else.
 */
import { Pool } from 'undici';
import { FORM_HEADERS } from './load.js';
import { getAttributesBody, putAttributesBody } from './workload.js';

export interface Contention {
  method: string;
  workers: number;
  seconds: number;
  increments: number;
  incrementsPerSecond: number;
  conflicts: number;
  finalValue: number;
  exact: boolean;
}

const ITEM = 'counter';
const NAME = 'value';
const VALUE = /<Name>value<\/Name><Value>(\d+)<\/Value>/;

async function send(pool: Pool, body: string): Promise<{ status: number; text: string }> {
  const res = await pool.request({ path: '/', method: 'POST', headers: FORM_HEADERS, body });
  return { status: res.statusCode, text: await res.body.text() };
}

async function read(pool: Pool): Promise<number> {
  const { text } = await send(pool, getAttributesBody(ITEM, true));
  const value = VALUE.exec(text)?.[1];
  if (value === undefined) throw new Error(`counter has no value: ${text}`);
  return Number(value);
}

function write(pool: Pool, next: number, expected?: number): Promise<{ status: number; text: string }> {
  const condition = expected === undefined ? undefined : { name: NAME, value: String(expected) };
  return send(pool, putAttributesBody(ITEM, [{ name: NAME, value: String(next), replace: true }], condition));
}

export async function plainConditionalContention(url: string, workers: number, seconds: number): Promise<Contention> {
  const pool = new Pool(url, { connections: workers });
  try {
    const initial = await write(pool, 0);
    if (initial.status !== 200) throw new Error(`cannot create the counter: ${initial.text}`);
    let increments = 0;
    let conflicts = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    const worker = async (): Promise<void> => {
      while (performance.now() < end) {
        const seen = await read(pool);
        const res = await write(pool, seen + 1, seen);
        if (res.status === 200) increments++;
        else if (res.status === 409 && res.text.includes('<Code>ConditionalCheckFailed</Code>')) conflicts++;
        else throw new Error(`increment failed: ${res.status} ${res.text}`);
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    const elapsed = (performance.now() - start) / 1000;
    const finalValue = await read(pool);
    return {
      method: 'plain conditional PutAttributes read-modify-write over HTTP; client/counter.ts absent',
      workers,
      seconds: elapsed,
      increments,
      incrementsPerSecond: increments / elapsed,
      conflicts,
      finalValue,
      exact: finalValue === increments,
    };
  } finally {
    await pool.close();
  }
}
