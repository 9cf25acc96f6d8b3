/**
 * Measuring: autocannon for HTTP (keep-alive, in this process, the server in a child) and a
 * plain loop for in-process work. Latencies come from autocannon's per-response event, which
 * carries fractional milliseconds; its own histogram rounds to whole ones.
 */
import autocannon from 'autocannon';
import { median, percentile } from './stats.js';

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

export interface HttpRun {
  connections: number;
  seconds: number;
  /** 2xx responses per second over the whole run. */
  rps: number;
  /** Spread of the per-second samples (stddev / mean): how steady the run was. */
  cv: number;
  p50Ms: number;
  p99Ms: number;
  responses: number;
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  body?: string;
  /** A fresh body per request (bulk load); `amount` then stops the run. */
  nextBody?: () => string;
  amount?: number;
}

export async function load(o: LoadOptions): Promise<HttpRun> {
  const latencies: number[] = [];
  const nextBody = o.nextBody;
  const options: autocannon.Options = {
    url: o.url,
    method: 'POST',
    headers: FORM_HEADERS,
    connections: o.connections,
    duration: o.seconds,
    ...(o.amount === undefined ? {} : { amount: o.amount }),
    ...(o.body === undefined ? {} : { body: o.body }),
    ...(nextBody ? { requests: [{ setupRequest: (request) => ({ ...request, body: nextBody() }) }] } : {}),
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err: Error | null, r: autocannon.Result) => (err ? reject(err) : resolve(r)));
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  return {
    connections: o.connections,
    seconds: result.duration,
    rps: result['2xx'] / result.duration,
    cv: result.requests.mean > 0 ? result.requests.stddev / result.requests.mean : 0,
    p50Ms: median(latencies),
    p99Ms: percentile(latencies, 0.99),
    responses: latencies.length,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** One request, checked: a benchmark of error answers would measure nothing. */
export async function post(url: string, body: string, expectStatus = 200): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: FORM_HEADERS, body });
  const text = await res.text();
  if (res.status !== expectStatus) throw new Error(`expected ${expectStatus}, got ${res.status}: ${text}`);
  return text;
}

/** Calls per second of a synchronous function, run for about `ms` after a short warm-up. */
export function opsPerSecond(fn: () => unknown, ms: number): number {
  const warm = performance.now() + Math.min(200, ms / 5);
  while (performance.now() < warm) fn();
  let calls = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    for (let k = 0; k < 16; k++) fn();
    calls += 16;
    now = performance.now();
  }
  return calls / ((now - start) / 1000);
}

/** Median milliseconds of a synchronous function: at least `minRuns`, for about `ms`. */
export function medianMs(fn: () => unknown, ms: number, minRuns = 20): number {
  fn();
  const times: number[] = [];
  const end = performance.now() + ms;
  while (times.length < minRuns || performance.now() < end) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}
