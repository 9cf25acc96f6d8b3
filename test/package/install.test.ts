// The package as a user gets it: `npm pack`, installed into an empty project outside the
// repository, then the CLI, the client from ESM and from CommonJS through import(), TypeScript
// type checking (strict, no skipLibCheck) with node16 and bundler resolution, and the Vitest kit.
//
// The install reuses npm's cache (`--prefer-offline`; the registry only for what it lacks). Install
// scripts are skipped, as a client-only user may (the client runs first, with no native module);
// then better-sqlite3's native module is copied from this checkout's own build of the same
// version, so the run needs no compiler; the README's "Install" section says what a user's
// install compiles and why.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startEmulator } from '../../emulator/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const exec = promisify(execFile);
const version = (name: string) => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

let work: string;
let project: string;
let tarball: string;

async function run(file: string, args: string[], cwd = project, env: NodeJS.ProcessEnv = {}, timeout = 240_000): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec(file, args, { cwd, env: { ...process.env, SIMPLEDB_ENDPOINT: '', CI: 'true', NO_COLOR: '1', ...env }, encoding: 'utf8', timeout });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'simpledb-pack-'));
  // dist/ is built already (`npm test` builds first): pack what is there, without `prepare`.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], root);
  tarball = join(work, packed.stdout.trim().split('\n').pop() as string);
  project = join(work, 'user-project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  await run('npm', [
    'install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error',
    tarball, `typescript@${version('typescript')}`, `vitest@${version('vitest')}`, `@types/node@${version('@types/node')}`,
  ]);
  expect(version('better-sqlite3')).toBe(
    (JSON.parse(readFileSync(join(project, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as { version: string }).version,
  );
}, 300_000);

const nativeModule = () => join(project, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

/** What better-sqlite3's install script would have built, from this checkout's build of the same version. */
function addNativeModule(): void {
  mkdirSync(dirname(nativeModule()), { recursive: true });
  copyFileSync(join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), nativeModule());
}

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
}, 120_000);

/** The installed CLI on a free port; resolves with its URL and a stop function. */
async function startCli(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(join(project, 'node_modules', '.bin', 'simpledb-local'), ['--port', '0', '--log-level', 'warn'], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  for await (const line of createInterface({ input: child.stdout })) {
    const m = /^simpledb-local listening on (\S+)/.exec(line);
    if (m) {
      child.stdout.resume();
      return { url: m[1] as string, stop: async () => void (child.kill('SIGTERM'), await exited) };
    }
  }
  throw new Error(`the installed CLI exited before its ready line (${String((await exited)[0])})`);
}

describe('the packed package, installed into an empty project', () => {
  it('ships the built emulator and client, LICENSE and the item schema; no bench, examples or source maps', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball], work);
    const files = stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
    for (const f of ['LICENSE', 'README.md', 'package.json', 'docs/item.schema.json', 'dist/emulator/cli.js', 'dist/client/index.js', 'dist/emulator/testing/vitest.js']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^dist\/(bench|examples)\/|\.map$|^test\//.test(f))).toEqual([]);
  });

  it('the client, from ESM, from the root export and from CommonJS through import(), needs no native module (install with --ignore-scripts)', async () => {
    expect(existsSync(nativeModule())).toBe(false);
    const emu = await startEmulator({ port: 0 });
    try {
      const client = (specifier: string) => `
        const { SimpleDBClient, CreateDomainCommand, ListDomainsCommand } = await import('${specifier}');
        const sdb = new SimpleDBClient({ endpoint: process.env.URL, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
        await sdb.send(new CreateDomainCommand({ DomainName: process.env.DOMAIN }));
        const { DomainNames } = await sdb.send(new ListDomainsCommand({}));
        console.log(DomainNames.includes(process.env.DOMAIN) ? 'ok' : 'missing');
        sdb.destroy();`;
      writeFileSync(join(project, 'esm.mjs'), client('simpledb-local/client'));
      writeFileSync(join(project, 'root.mjs'), client('simpledb-local'));
      writeFileSync(join(project, 'commonjs.cjs'), `(async () => {${client('simpledb-local/client')}})().catch((e) => { console.error(e); process.exit(1); });`);
      for (const [file, domain] of [['esm.mjs', 'from_esm'], ['root.mjs', 'from_root'], ['commonjs.cjs', 'from_cjs']]) {
        expect((await run(process.execPath, [file as string], project, { URL: emu.url, DOMAIN: domain })).stdout.trim(), file).toBe('ok');
      }
    } finally {
      await emu.close();
    }
  }, 120_000);

  it('runs the CLI from node_modules/.bin once better-sqlite3 is built', async () => {
    addNativeModule();
    const ours = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    expect((await run(join(project, 'node_modules', '.bin', 'simpledb-local'), ['--version'])).stdout.trim()).toBe(ours);
    const emu = await startCli();
    try {
      expect((await fetch(`${emu.url}/_simpledb/health`)).status).toBe(200);
    } finally {
      await emu.stop();
    }
  }, 120_000);

  it('type-checks every export under strict without skipLibCheck (moduleResolution node16, and bundler)', async () => {
    writeFileSync(join(project, 'check.ts'), `
import { SimpleDBClient, GetAttributesCommand } from 'simpledb-local/client';
import { SimpleDBClient as RootClient } from 'simpledb-local';
import { startEmulator, type Emulator } from 'simpledb-local/emulator';
import { testControl, domainPrefix } from 'simpledb-local/testing';
import { simpledbGlobalSetup, simpledbPerFile } from 'simpledb-local/testing/vitest';
import { simpledbGlobalSetup as jestSetup, simpledbWorkerEndpoint } from 'simpledb-local/testing/jest';

export async function use(): Promise<string | undefined> {
  const emu: Emulator = await startEmulator({ port: 0 });
  const sdb: RootClient = new SimpleDBClient({ endpoint: emu.url, region: 'us-east-1' });
  const out = await sdb.send(new GetAttributesCommand({ DomainName: domainPrefix('x'), ItemName: 'i' }));
  await testControl({ endpoint: emu.url }).reset();
  void [simpledbGlobalSetup, simpledbPerFile, jestSetup({ perWorker: true }), simpledbWorkerEndpoint];
  const saved = await emu.control.saveSnapshot('state.snapshot.ndjson');
  void [saved.pairs, startEmulator({ port: 0, loadSnapshot: saved.path }).then((e) => e.close())];
  await emu.close();
  return out.Attributes?.[0]?.Value;
}
`);
    const configs = (['node16', 'bundler'] as const).map((resolution) => {
      const module = resolution === 'node16' ? 'node16' : 'esnext';
      const config = { compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, target: 'es2022', module, moduleResolution: resolution, types: ['node'] }, files: ['check.ts'] };
      writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify(config));
      return `tsconfig.${resolution}.json`;
    });
    // Both projects in one tsc process (--build): a fifth less CPU here than a tsc per project.
    // --verbose names each project above its errors; --force checks both even where a build info
    // file would call them up to date.
    await run(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '--build', '--force', '--verbose', '--pretty', 'false', ...configs]);
  }, 240_000);

  // Over five minutes here (better-sqlite3 compiles twice), so only on request; docs/install.md cites it.
  it.skipIf(process.env.SIMPLEDB_TEST_GIT_INSTALL !== '1')(
    'installs from a git URL (git+file:// of a clone of the last commit): prepare builds dist/, the CLI and the emulator run (SIMPLEDB_TEST_GIT_INSTALL=1)',
    async () => {
      const clone = join(work, 'clone');
      const fromGit = join(work, 'git-project');
      // Both hold a full node_modules: removed here, inside the test's own time, not in afterAll's.
      onTestFinished(() => {
        for (const dir of [clone, fromGit]) rmSync(dir, { recursive: true, force: true });
      });
      await run('git', ['clone', '--quiet', root, clone], work);
      mkdirSync(fromGit);
      writeFileSync(join(fromGit, 'package.json'), JSON.stringify({ name: 'git-project', private: true, type: 'module' }));
      await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', `git+file://${clone}`], fromGit, {}, 840_000);
      expect(existsSync(join(fromGit, 'node_modules', 'simpledb-local', 'dist', 'emulator', 'cli.js'))).toBe(true);
      const ours = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
      expect((await run(join(fromGit, 'node_modules', '.bin', 'simpledb-local'), ['--version'], fromGit)).stdout.trim()).toBe(ours);
      const started = await run(process.execPath, ['--input-type=module', '-e',
        "const { startEmulator } = await import('simpledb-local/emulator'); const e = await startEmulator({ port: 0 }); console.log(e.url); await e.close();"], fromGit);
      expect(started.stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    },
    900_000,
  );

  // The only plain run of this project in the suite (test/kit/runners.test.ts runs it under explore):
  // a child Vitest costs seconds, and the installed package is what a user runs it with.
  it('runs the Vitest kit project of docs/testing.md with the installed package: globalSetup starts one emulator, provide/inject and SIMPLEDB_ENDPOINT reach the tests, the teardown closes it', async () => {
    addNativeModule();
    const kit = join(project, 'kit');
    mkdirSync(kit);
    for (const f of readdirSync(join(root, 'test', 'kit', 'projects', 'vitest')).filter((n) => n.endsWith('.mjs'))) copyFileSync(join(root, 'test', 'kit', 'projects', 'vitest', f), join(kit, f));
    const report = join(work, 'kit-endpoint');
    const { stdout } = await run(process.execPath, [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', kit], project, { KIT_REPORT: report });
    expect(stdout).toMatch(/Tests\s+4 passed \(4\)/);
    // The endpoint the tests saw: nothing may listen there once the run is over.
    const url = readFileSync(report, 'utf8');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(fetch(`${url}/_simpledb/health`)).rejects.toThrow();
  }, 120_000);
});
