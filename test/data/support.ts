/**
 * Shared by the data tests: temp directories, the built CLI as a child process (dist/: `npm
 * test` builds first), a client with dummy keys (the emulator accepts any), and the whole state
 * of an emulator read back through the protocol.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimpleDBClient, paginateListDomains, paginateSelect } from '../../client/index.js';

export const CLI = fileURLToPath(new URL('../../dist/emulator/cli.js', import.meta.url));
export const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

const dirs: string[] = [];
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simpledb-data-'));
  dirs.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function client(url: string): SimpleDBClient {
  return new SimpleDBClient({ endpoint: url, credentials: KEYS, maxAttempts: 1 });
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI, by default with the standard chain's environment keys set (its endpoint commands use the chain). */
export async function cli(
  args: readonly string[],
  o: { stdin?: string; env?: Record<string, string>; cwd?: string; keys?: boolean } = {},
): Promise<CliRun> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIMPLEDB_LOCAL_') && !k.startsWith('AWS_')));
  // keys: false leaves the chain empty: the client then signs for a loopback emulator with a placeholder.
  const keys = o.keys === false ? {} : { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...env, ...keys, ...o.env },
    cwd: o.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.end(o.stdin ?? '');
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** Every domain, item, name and value an endpoint holds, read with ConsistentRead through Select. */
export async function stateOf(url: string): Promise<Record<string, Record<string, Record<string, string[]>>>> {
  const c = client(url);
  try {
    const state: Record<string, Record<string, Record<string, string[]>>> = {};
    for await (const page of paginateListDomains({ client: c })) {
      for (const domain of page.DomainNames ?? []) {
        const items: Record<string, Record<string, string[]>> = {};
        for await (const p of paginateSelect({ client: c }, { SelectExpression: `select * from \`${domain}\``, ConsistentRead: true })) {
          for (const item of p.Items ?? []) {
            const attrs: Record<string, string[]> = {};
            for (const a of item.Attributes) (attrs[a.Name] ??= []).push(a.Value);
            for (const v of Object.values(attrs)) v.sort();
            items[item.Name] = attrs;
          }
        }
        state[domain] = items;
      }
    }
    return state;
  } finally {
    await c.destroy();
  }
}
