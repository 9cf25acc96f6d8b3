import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY, SECRET, authParams, formPost, send, signedPost } from './support.js';

/** The built CLI: `npm test` builds before it runs vitest; run `npm run build` before this file alone. */
const CLI = fileURLToPath(new URL('../../dist/emulator/cli.js', import.meta.url));

/** Live: output keeps arriving after the promise resolves. */
interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  url?: string;
  exitCode?: number;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

/** Starts the CLI with no SIMPLEDB_LOCAL_* variable but `env`; resolves at its listening line or its exit. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIMPLEDB_LOCAL_')));
  const child = spawn(process.execPath, [CLI, '--log-level', 'silent', ...args], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const run: Run = { child, stdout: '', stderr: '' };
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => (run.stderr += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      run.stdout += d.toString();
      run.url ??= /listening on (\S+)/.exec(run.stdout)?.[1];
      if (run.url) resolve(run);
    });
    child.on('error', reject);
    // 'close' rather than 'exit', so that stderr is complete.
    child.on('close', (code) => {
      run.exitCode = code ?? -1;
      resolve(run);
    });
  });
}

/** stdout and stderr are separate pipes, so a line written first may be read second. */
async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  for (const end = Date.now() + ms; !condition() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
}

describe('the CLI', () => {
  it('warns on stderr when it binds 0.0.0.0 with authentication off', async () => {
    const run = await cli(['--host', '0.0.0.0', '--port', '0']);
    await until(() => run.stderr.includes('\n'));
    run.child.kill('SIGKILL');
    expect(run.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    expect(run.stderr).toMatch(/^simpledb-local: warning: listening on 0\.0\.0\.0 with authentication off/m);
  });

  it('takes the key pair and the isolation switch from the environment, and does not warn on 127.0.0.1', async () => {
    const run = await cli(['--port', '0'], {
      SIMPLEDB_LOCAL_ACCESS_KEY_ID: KEY,
      SIMPLEDB_LOCAL_SECRET_ACCESS_KEY: SECRET,
      SIMPLEDB_LOCAL_ISOLATE_ACCOUNTS: 'false',
    });
    expect(run.url).toBeDefined();
    const url = new URL(run.url ?? '');
    const params = authParams(Date.now(), { Action: 'ListDomains' });
    expect((await send(url.href, formPost(url.host, params))).code).toBe('IncompleteSignature');
    expect((await send(url.href, signedPost(url.host, params))).status).toBe(200);
    expect(run.stderr).toBe('');
  });

  it('refuses to start on a bad credentials file, with the reason', async () => {
    const run = await cli(['--port', '0', '--credentials', '/nonexistent/credentials.json']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^simpledb-local: cannot start: cannot read the credentials file \/nonexistent\/credentials\.json/);
  });

  it('refuses half a key pair', async () => {
    const run = await cli(['--port', '0', '--access-key-id', KEY]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('an access key id was given without its secret access key');
  });
});
