// The command line and the control endpoints. Runs the built CLI
// (dist/emulator/cli.js: `npm test` builds first) as a child process and waits on its events:
// the listening line and the process exit.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.js';
import { OPTION_SPECS } from '../../emulator/options.js';
import { VERSION } from '../../emulator/core/version.js';
import { getPairs, ok, resultOf, type Endpoint } from '../support/protocol.js';

const CLI = fileURLToPath(new URL('../../dist/emulator/cli.js', import.meta.url));
const LISTENING = /^simpledb-local listening on (http:\/\/127\.0\.0\.1:(\d+))$/;

type Child = ChildProcessByStdio<null, Readable, Readable>;
const children = new Set<Child>();
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** The environment without any SIMPLEDB_LOCAL_* the developer may have set. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIMPLEDB_LOCAL_')));
  return { ...env, ...extra };
}

function run(args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  return child;
}

/** Everything a short-lived command prints, and its exit code. */
async function finish(child: Child): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

interface Running {
  child: Child;
  url: string;
  port: number;
  line: string;
  /** Everything printed on stdout so far. */
  stdout: () => string;
}

/** Starts the server and resolves on its first stdout line, which must be the listening line. */
async function start(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = run(args, env);
  child.stderr.resume();
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit').then(() => {
    throw new Error(`the CLI exited before listening (${String(child.exitCode)})`);
  });
  const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string];
  const m = LISTENING.exec(line);
  if (!m) throw new Error(`unexpected first line: ${JSON.stringify(line)}`);
  return { child, url: m[1] ?? '', port: Number(m[2]), line, stdout: () => stdout };
}

function remote(r: Running): Endpoint {
  return { host: '127.0.0.1', port: r.port };
}

async function stop(r: Running, signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> {
  const t0 = performance.now();
  const exited = once(r.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  r.child.kill(signal);
  const [code] = await exited;
  return { code, ms: performance.now() - t0 };
}

describe('simpledb-local CLI', () => {
  it('--port 0 prints exactly the listening line, serves requests, and exits 0 on SIGTERM', async () => {
    const r = await start(['--port', '0', '--log-level', 'silent']);
    expect(r.line).toBe(`simpledb-local listening on http://127.0.0.1:${r.port}`);
    expect(r.port).toBeGreaterThan(0);
    await ok(remote(r), { Action: 'CreateDomain', DomainName: 'cli' });
    resultOf(await ok(remote(r), { Action: 'ListDomains' }), 'ListDomains');
    const { code, ms } = await stop(r, 'SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
  });

  it('SIGINT exits 0 promptly even with a keep-alive connection open', async () => {
    const r = await start(['--port', '0']);
    const res = await fetch(`${r.url}/?Action=ListDomains`, { keepalive: true });
    expect(res.status).toBe(200);
    await res.text();
    const { code, ms } = await stop(r, 'SIGINT');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
  });

  it('--journal-size and SIMPLEDB_LOCAL_JOURNAL_SIZE set how many requests the journal keeps', async () => {
    for (const [args, env, kept] of [
      [['--journal-size', '3'], {}, 3],
      [[], { SIMPLEDB_LOCAL_JOURNAL_SIZE: '2' }, 2],
    ] as const) {
      const r = await start(['--port', '0', '--log-level', 'silent', ...args], env);
      for (let i = 0; i < 5; i++) await ok(remote(r), { Action: 'ListDomains' });
      const journal = (await (await fetch(`${r.url}/_simpledb/journal`)).json()) as { entries: { seq: number }[] };
      expect(journal.entries.map((e) => e.seq)).toEqual([3, 4, 5].slice(3 - kept));
      expect((await stop(r, 'SIGTERM')).code).toBe(0);
    }
  });

  it('takes the port from SIMPLEDB_LOCAL_PORT', async () => {
    const r = await start([], { SIMPLEDB_LOCAL_PORT: '0' });
    expect(r.port).not.toBe(8080);
    expect((await fetch(`${r.url}/_simpledb/health`)).status).toBe(200);
    expect((await stop(r, 'SIGTERM')).code).toBe(0);
  });

  it('--help lists every flag and its environment variable; --version prints the package version', async () => {
    const help = await finish(run(['--help']));
    expect(help.code).toBe(0);
    const flat = help.stdout.replace(/\s+/g, ' ');
    for (const spec of OPTION_SPECS) {
      expect(flat).toContain(spec.flag);
      expect(flat).toContain(spec.env);
    }
    expect(flat).toContain('--version');
    const version = await finish(run(['--version']));
    expect(version).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(VERSION).not.toBe('0.0.0');
  });

  it('a bad --port fails with a message and a non-zero exit', async () => {
    for (const bad of ['abc', '70000', '-1']) {
      const out = await finish(run(['--port', bad]));
      expect(out.code, bad).not.toBe(0);
      expect(out.stderr).toContain('a port is a whole number from 0 to 65535');
      expect(out.stdout).toBe('');
    }
  });

  it('a bad flag or value: one line naming the flag and what is accepted, "see --help", exit 2', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--port', 'abc'], {}, /^simpledb-local: option '--port <port>' argument 'abc' is invalid: a port is a whole number from 0 to 65535; see --help$/],
      [['--prot', '1'], {}, /^simpledb-local: unknown option '--prot' \(Did you mean --port\?\); see --help$/],
      [['--consistency', 'soon'], {}, /^simpledb-local: option '--consistency <mode>' .*'soon'.*consistent, eventual, frozen; see --help$/],
      [[], { SIMPLEDB_LOCAL_LOG_LEVEL: 'loud' }, /^simpledb-local: option '--log-level <level>' .*SIMPLEDB_LOCAL_LOG_LEVEL.*one of silent, .*; see --help$/],
      [['serve'], {}, /^simpledb-local: too many arguments.*; see --help$/],
      [['--journal-size', 'lots'], {}, /^simpledb-local: option '--journal-size <n>' argument 'lots' is invalid: a whole number from 0 to 10000000; see --help$/],
      // The setting is named once, by its flag, not again by the key the routes use.
      [['--journal-max-bytes', '-1'], {}, /^simpledb-local: option '--journal-max-bytes <n>' argument '-1' is invalid: a whole number from 0 to \d+; see --help$/],
      [['--consistency', 'soon'], {}, /is invalid: one of consistent, eventual, frozen; see --help$/],
      [['--headers-timeout', '0'], {}, /^simpledb-local: option '--headers-timeout <ms>' argument '0' is invalid: a whole number from 1 to \d+; see --help$/],
      [['explore', '--runs', '0', '--', 'true'], {}, /^simpledb-local: option '--runs <n>' argument '0' is invalid: a whole number from 1 to 100000; see --help$/],
      [['explore', '--seed', 'abc', '--', 'true'], {}, /^simpledb-local: option '--seed <n>' argument 'abc' is invalid: a whole number from 0 to 4294967295; see --help$/],
    ];
    const outs = await Promise.all(cases.map(([args, env]) => finish(run(args, env))));
    outs.forEach((out, i) => {
      const [args, , message] = cases[i] ?? [[], {}, /^$/];
      expect(out.code, args.join(' ')).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(out.stderr.trim()).toMatch(message);
    });
  });

  it('a database or journal file that cannot be opened is named in the message, with its option', async () => {
    const out = await finish(run(['--port', '0', '--db', '/nonexistent/dir/x.db']));
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toMatch(/^simpledb-local: cannot start: --db \/nonexistent\/dir\/x\.db: .*directory does not exist/);
    const journal = await finish(run(['--port', '0', '--journal', '/nonexistent/dir/j.ndjson']));
    expect(journal.code).toBe(1);
    expect(journal.stderr.trim()).toMatch(/^simpledb-local: cannot start: --journal \/nonexistent\/dir\/j\.ndjson: ENOENT/);
    const dir = mkdtempSync(join(tmpdir(), 'simpledb-local-cli-'));
    try {
      const notJournal = join(dir, 'notes.txt');
      writeFileSync(notJournal, 'not json\n');
      for (const [file, reason] of [
        [join(dir, 'missing.ndjson'), 'ENOENT'],
        [notJournal, ':1: not JSON'],
      ] as const) {
        const open = await finish(run(['--port', '0', '--open-journal', file]));
        expect(open.code, file).toBe(1);
        expect(open.stderr.trim()).toContain(`simpledb-local: cannot start: --open-journal ${file}`);
        expect(open.stderr).toContain(reason);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('after the listening line: storage, signature checking and the control base URL', async () => {
    const lines = async (r: Running, n: number) => {
      while (r.stdout().split('\n').length <= n + 1) await once(r.child.stdout, 'data');
      return r.stdout().split('\n').slice(1, n + 1);
    };
    const memory = await start(['--port', '0']);
    expect(await lines(memory, 3)).toEqual([
      '  storage:    in memory (lost on exit; --db FILE keeps it)',
      '  signatures: not checked (any key is accepted)',
      `  control:    ${memory.url}/_simpledb/`,
    ]);
    expect((await stop(memory, 'SIGTERM')).code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'simpledb-local-cli-'));
    try {
      const db = join(dir, 'x.db');
      const file = await start(['--port', '0', '--db', db], { SIMPLEDB_LOCAL_ACCESS_KEY_ID: 'AKIDEXAMPLE', SIMPLEDB_LOCAL_SECRET_ACCESS_KEY: 's' });
      expect(await lines(file, 3)).toEqual([`  storage:    ${db}`, '  signatures: checked (1 key)', `  control:    ${file.url}/_simpledb/`]);
      expect((await stop(file, 'SIGTERM')).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--help ends with examples and the control routes', async () => {
    const help = await finish(run(['--help']));
    expect(help.code).toBe(0);
    const tail = help.stdout.slice(help.stdout.indexOf('Examples:'));
    expect(tail.match(/^ {2}simpledb-local|^ {2}SIMPLEDB_LOCAL_/gm)?.length).toBeGreaterThanOrEqual(3);
    for (const route of ['/_simpledb/health', '/_simpledb/reset', '/_simpledb/consistency', '/_simpledb/faults', '/_simpledb/journal']) {
      expect(tail).toContain(route);
    }
  });

  it("every command's help shows its defaults as they are written on the command line, not as JSON", async () => {
    const commands = ['analyze', 'explore', 'export', 'import', 'mirror'];
    const helps = await Promise.all(commands.map((command) => finish(run([command, '--help']))));
    helps.forEach((help, i) => {
      expect(help.code, commands[i]).toBe(0);
      expect(help.stdout, commands[i]).not.toMatch(/\(default: [[{]/);
    });
    const explore = (helps[1]?.stdout ?? '').replace(/\s+/g, ' ');
    expect(explore).toContain('(default: 1-10w)');
    expect(explore).toContain('(default: none)');
  });

  it('a port already in use fails with a message', async () => {
    await using taken = await startEmulator({ port: 0 });
    const out = await finish(run(['--port', String(taken.port)]));
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^simpledb-local: cannot start: .*EADDRINUSE/m);
  });

  it('--db FILE keeps data across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simpledb-local-cli-'));
    try {
      const db = join(dir, 'data.sqlite');
      const first = await start(['--port', '0', '--db', db]);
      for (const d of ['kept1', 'kept2']) await ok(remote(first), { Action: 'CreateDomain', DomainName: d });
      await ok(remote(first), { Action: 'PutAttributes', DomainName: 'kept1', ItemName: 'i', 'Attribute.1.Name': 'a', 'Attribute.1.Value': 'é' });
      const page = await ok(remote(first), { Action: 'ListDomains', MaxNumberOfDomains: '1' });
      const token = /<NextToken>([^<]+)</.exec(page.text)?.[1] ?? '';
      expect((await stop(first, 'SIGTERM')).code).toBe(0);

      const second = await start(['--port', '0'], { SIMPLEDB_LOCAL_DB: db });
      expect(await getPairs(remote(second), 'kept1', 'i')).toEqual([['a', 'é']]);
      // A NextToken from before the restart still pages: its signing key is kept in the file.
      const next = await ok(remote(second), { Action: 'ListDomains', MaxNumberOfDomains: '1', NextToken: token });
      expect(next.text).toContain('<ListDomainsResult><DomainName>kept2</DomainName></ListDomainsResult>');
      expect((await stop(second, 'SIGTERM')).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('GET /_simpledb/health and POST /_simpledb/reset', async () => {
    const r = await start(['--port', '0']);
    const health = await fetch(`${r.url}/_simpledb/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', version: VERSION });
    await ok(remote(r), { Action: 'CreateDomain', DomainName: 'gone' });
    const reset = await fetch(`${r.url}/_simpledb/reset`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({ status: 'reset' });
    expect((await ok(remote(r), { Action: 'ListDomains' })).text).toContain('<ListDomainsResult/>');
    expect((await stop(r, 'SIGTERM')).code).toBe(0);
  });
});

describe('programmatic handle', () => {
  it('reset() drops every domain; await using closes the server', async () => {
    let url = '';
    {
      await using emu = await startEmulator({ port: 0 });
      url = emu.url;
      expect(emu.url).toBe(`http://127.0.0.1:${emu.port}`);
      await ok(emu, { Action: 'CreateDomain', DomainName: 'dom1' });
      emu.reset();
      expect((await ok(emu, { Action: 'ListDomains' })).text).toContain('<ListDomainsResult/>');
    }
    await expect(fetch(`${url}/_simpledb/health`)).rejects.toThrow();
  });

  it('close() is idempotent: every call resolves, and the port is free afterwards', async () => {
    const emu = await startEmulator({ port: 0 });
    const url = emu.url;
    await expect(Promise.all([emu.close(), emu.close()])).resolves.toEqual([undefined, undefined]);
    await expect(emu.close()).resolves.toBeUndefined();
    await expect(fetch(`${url}/_simpledb/health`)).rejects.toThrow();
  });
});
