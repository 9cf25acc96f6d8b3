/**
 * What the reliability suites share: the built CLI as a child process (as users run it), a
 * keep-alive HTTP client per emulator, and the run's seed and scale.
 *
 * - SIMPLEDB_RELIABILITY_SEED=n replays a run (every suite prints the seed it used);
 * - SIMPLEDB_RELIABILITY_SCALE=k runs k times as many rounds, writes and requests (default 1).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { randomSeed, seededRandom } from '../../emulator/sync/random.js';
import { encodeParams, FORM, type ParamList } from '../support/protocol.js';

export const CLI = fileURLToPath(new URL('../../dist/emulator/cli.js', import.meta.url));
const LISTENING = /^simpledb-local listening on (http:\/\/127\.0\.0\.1:(\d+))$/;

function envInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be a whole number, not ${raw}`);
  return n;
}

export const SCALE = Math.max(1, envInteger('SIMPLEDB_RELIABILITY_SCALE') ?? 1);

/**
 * The run's seed: SIMPLEDB_RELIABILITY_SEED, else a fresh one (part of every test's name).
 * fast-check reports seeds as signed 32-bit numbers; both spellings name the same seed.
 */
export function runSeed(): number {
  return (envInteger('SIMPLEDB_RELIABILITY_SEED') ?? randomSeed()) >>> 0;
}

export { seededRandom };

/** A whole number in [lo, hi] from a seeded generator. */
export function between(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

export interface CliServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly child: Child;
  /** A keep-alive client for this server; closed when the server is stopped. */
  readonly http: Pool;
  readonly exited: Promise<void>;
  /** What the process wrote to standard error (its log). */
  stderr(): string;
}

const running = new Set<CliServer>();

/** The environment without any SIMPLEDB_LOCAL_* the developer may have set. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIMPLEDB_LOCAL_')));
}

/** `node dist/emulator/cli.js --port 0 …`, resolved at its ready line. */
export async function startCli(args: readonly string[], readyTimeoutMs = 20_000): Promise<CliServer> {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--log-level', 'error', ...args], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (c: Buffer) => (log += c.toString()));
  const exited = once(child, 'exit').then(() => undefined);
  const lines = createInterface({ input: child.stdout });
  const early = exited.then(() => {
    throw new Error(`the CLI exited before its ready line (${String(child.exitCode ?? child.signalCode)}): ${log}`);
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ready line within ${readyTimeoutMs} ms: ${log}`)), readyTimeoutMs);
  });
  try {
    const [line] = (await Promise.race([once(lines, 'line'), early, late])) as [string];
    const m = LISTENING.exec(line);
    if (!m) throw new Error(`unexpected first line: ${JSON.stringify(line)}`);
    lines.close();
    child.stdout.resume();
    const url = m[1] ?? '';
    const server: CliServer = {
      url,
      host: '127.0.0.1',
      port: Number(m[2]),
      child,
      http: new Pool(url, { connections: 8 }),
      exited,
      stderr: () => log,
    };
    running.add(server);
    return server;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
    early.catch(() => undefined);
  }
}

/** Sends `signal` (SIGKILL: no chance to finish anything) and waits for the exit. */
export async function stopCli(server: CliServer, signal: NodeJS.Signals): Promise<void> {
  running.delete(server);
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
  await server.exited;
  await server.http.destroy();
}

/** For afterAll: whatever a failed test left running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => stopCli(s, 'SIGKILL')));
}

export interface Answer {
  status: number;
  text: string;
}

/** A form POST of protocol parameters on the server's keep-alive pool. */
export async function post(server: CliServer, params: ParamList, timeoutMs = 15_000): Promise<Answer> {
  const res = await server.http.request({
    method: 'POST',
    path: '/',
    headers: { 'content-type': FORM },
    body: encodeParams(params),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/** A temporary directory, removed by the returned function. */
export function tempDir(label: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `simpledb-local-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
