/**
 * Servers under test run as child processes, so the load generator never shares their event
 * loop. Each prints "… listening on http://host:port" once ready (the CLI's own start-up line).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** dist/ root: this file runs as dist/bench/children.js (bench) or bench/children.ts (vitest). */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = ROOT.endsWith('/dist/') ? ROOT : `${ROOT}dist/`;

export const CLI = `${DIST}emulator/cli.js`;
export const FLOOR_SERVER = `${DIST}bench/floorServer.js`;

export interface Server {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** SIGTERM, then the exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
}

const LISTENING = /listening on (http:\/\/\S+)/;

/**
 * Children not yet exited: killed when this process exits, a crash of the bench included, so that
 * no server is left running on a port after it (one was, after a harness error).
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** `node <script> <args>`; resolves once the start-up line names the URL. */
export function spawnServer(
  script: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 15_000,
): Promise<Server> {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} printed no URL within ${timeoutMs} ms: ${stdout}${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = LISTENING.exec(stdout)?.[1];
      if (url === undefined || child.pid === undefined) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({
        url,
        pid: child.pid,
        child,
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before listening: ${stdout}${stderr}`));
    });
  });
}

/** The emulator as users run it, in memory and quiet unless `env` says otherwise. */
export function spawnEmulator(extraArgs: readonly string[] = [], cli = CLI): Promise<Server> {
  return spawnServer(cli, ['--port', '0', '--host', '127.0.0.1', '--log-level', 'silent', ...extraArgs]);
}

/** Resident set size in bytes, from /proc (Linux); undefined elsewhere. */
export function residentBytes(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system) a process has used so far, in microseconds, from /proc (Linux; clock
 * ticks of 10 ms); undefined elsewhere. Per request, it is the figure least moved by other work on
 * a shared machine: throughput falls when another process takes a core, CPU per request barely.
 */
export function cpuMicros(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
    const ticks = Number(fields?.[11]) + Number(fields?.[12]);
    return Number.isFinite(ticks) ? ticks * 10_000 : undefined;
  } catch {
    return undefined;
  }
}
