import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import type { Analysis, FindingKind } from '../../emulator/sync/analyze/index.js';
import { attributesOf, createDomain, get, put, start } from '../support/sync.js';

const NODE_WORKER = fileURLToPath(new URL('./naive-worker.mjs', import.meta.url));
const PYTHON_WORKER = fileURLToPath(new URL('./naive_worker.py', import.meta.url));

export interface NaiveJob {
  endpoint: string;
  domain: string;
  item: string;
  increments: number;
  clientId?: string;
  customUserAgent?: string;
  /** boto3 worker: an increment whose request fails is done again from the read. */
  retry?: boolean;
}

const running = new Set<ChildProcess>();

/** Stops whatever a failed test left running. */
export function killWorkers(): void {
  for (const child of running) child.kill();
  running.clear();
}

/** Runs one naive counter process to its end; rejects with its stderr if it fails. */
export function runWorker(kind: 'fetch' | 'aws-sdk' | 'boto3', job: NaiveJob): Promise<void> {
  const [command, args] =
    kind === 'boto3' ? ['/usr/bin/python3', [PYTHON_WORKER, JSON.stringify(job)]] : [process.execPath, [NODE_WORKER, kind, JSON.stringify(job)]];
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      running.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`${kind} worker exited with ${code}: ${stderr}`));
    });
  });
}

/**
 * An emulator holding counters/hits n=0, then switched to `eventual`: the reads that follow can
 * be stale, but none can see a state before the counter existed.
 */
export async function eventualCounter(maxStalenessMs = 100): Promise<Emulator> {
  const emu = await start({ journalSize: 100_000 });
  await createDomain(emu, 'counters');
  await put(emu, 'counters', 'hits', { n: '0' });
  emu.control.consistency({ mode: 'eventual', maxStalenessMs, seed: 17 });
  return emu;
}

/** counters/hits, read consistently: `n` for the naive counters, `current_value` for the reliable Counter. */
export async function counterValue(emu: Emulator, attribute = 'n'): Promise<number> {
  return Number((await get(emu, 'counters', 'hits', true))[attribute]?.[0]);
}

export function kinds(a: Analysis): FindingKind[] {
  return a.findings.map((f) => f.kind);
}

export function count(a: Analysis, kind: FindingKind): number {
  return a.findings.filter((f) => f.kind === kind).length;
}

/** Plain HTTP as one named client (the X-SimpleDB-Client header), as test/sync/helpers.ts does without a name. */
export function as(emu: Emulator, client: string) {
  const call = async (action: string, params: Record<string, string>): Promise<{ status: number; xml: string }> => {
    const res = await fetch(emu.url + '/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-simpledb-client': client },
      body: new URLSearchParams({ Action: action, Version: '2009-04-15', ...params }),
    });
    return { status: res.status, xml: await res.text() };
  };
  return {
    async get(domain: string, item: string, consistent: boolean): Promise<Record<string, string[]>> {
      const r = await call('GetAttributes', { DomainName: domain, ItemName: item, ConsistentRead: String(consistent) });
      if (r.status !== 200) throw new Error(`GetAttributes answered ${r.status}`);
      return attributesOf(r.xml);
    },
    /** Replace=true on every pair; `expected` as Expected.1.*. */
    async put(domain: string, item: string, attrs: Record<string, string>, expected?: { name: string; value: string }): Promise<number> {
      const params: Record<string, string> = { DomainName: domain, ItemName: item };
      Object.entries(attrs).forEach(([name, value], i) => {
        params[`Attribute.${i + 1}.Name`] = name;
        params[`Attribute.${i + 1}.Value`] = value;
        params[`Attribute.${i + 1}.Replace`] = 'true';
      });
      if (expected) Object.assign(params, { 'Expected.1.Name': expected.name, 'Expected.1.Value': expected.value });
      return (await call('PutAttributes', params)).status;
    },
  };
}

/**
 * A write built on a stale read, planted in frozen mode: 'billing' upgrades alice's plan, then
 * 'support' reads the replica (still "free") and writes back what it saw, plus one credit.
 */
export async function plantStaleReadWrite(emu: Emulator): Promise<void> {
  await createDomain(emu, 'users');
  await as(emu, 'setup').put('users', 'alice', { plan: 'free', credits: '10' });
  emu.control.freeze();
  expect(await as(emu, 'billing').put('users', 'alice', { plan: 'pro' })).toBe(200);
  const support = as(emu, 'support');
  const seen = await support.get('users', 'alice', false);
  expect(seen.plan).toEqual(['free']);
  await support.put('users', 'alice', { plan: seen.plan?.[0] ?? '', credits: String(Number(seen.credits?.[0]) + 1) });
}

/** Whether boto3 is installed (it comes from Debian's python3-boto3). */
export function hasBoto3(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
