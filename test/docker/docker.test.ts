/**
 * The Dockerfile and docker-compose.yml, checked without a Docker engine: they parse, agree with
 * each other and with the CLI's options, the healthcheck command works against a real
 * emulator, and the image's environment starts the CLI as the container would.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI, spawnServer } from '../../bench/children.js';
import { startEmulator } from '../../emulator/index.js';
import { OPTION_SPECS } from '../../emulator/options.js';
import { args, envOf, execForm, healthcheck, parseDockerfile, type Stage } from './dockerfile.js';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const run = promisify(execFile);

const stages = parseDockerfile(read('Dockerfile'));
const runtime = stages.at(-1) as Stage;
const imageEnv = envOf(runtime);
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};

interface ComposeService {
  build?: { context?: string; target?: string };
  init?: boolean;
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test?: string[] };
  profiles?: string[];
  command?: string[];
  depends_on?: Record<string, { condition?: string }>;
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}
const compose = parse(read('docker-compose.yml')) as Compose;
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
};

const spec = (key: string) => {
  const found = OPTION_SPECS.find((s) => s.key === key);
  if (!found) throw new Error(`no option ${key}`);
  return found;
};
const DEFAULT_PORT = spec('port').default;
const CLI_ENV = new Set(OPTION_SPECS.map((s) => s.env));

describe('Dockerfile', () => {
  it('builds in a node:20-bookworm-slim builder that has a compiler, and runs from a second slim stage', () => {
    expect(stages.map((s) => s.name)).toEqual(['builder', 'production-deps', 'runtime']);
    expect(stage('builder').from).toBe('node:20-bookworm-slim');
    expect(runtime.from).toBe('node:20-bookworm-slim');
    const builderRuns = args(stage('builder'), 'RUN').join('\n');
    for (const tool of ['python3', 'make', 'g++']) expect(builderRuns).toContain(` ${tool}`);
    expect(builderRuns).toMatch(/npm ci\b/);
    expect(builderRuns).toMatch(/npm rebuild better-sqlite3/);
    expect(builderRuns).toMatch(/npm run build/);
    expect(args(stage('production-deps'), 'RUN')).toEqual(['npm prune --omit=dev']);
  });

  it('copies into the runtime stage only dist/, production node_modules and package.json', () => {
    const copies = args(runtime, 'COPY').map((c) => c.split(' '));
    expect(copies.every(([from]) => from?.startsWith('--from='))).toBe(true);
    expect(copies.map(([from, source]) => `${from} ${source}`).sort()).toEqual([
      '--from=builder /app/dist',
      '--from=production-deps /app/node_modules',
      '--from=production-deps /app/package.json',
    ]);
  });

  it('runs as a non-root user once setup is done', () => {
    const keywords = runtime.instructions.map((i) => i.keyword);
    const [user] = args(runtime, 'USER');
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(keywords.lastIndexOf('RUN')).toBeLessThan(keywords.indexOf('USER'));
  });

  it("exposes the CLI's default port and declares the data volume the database lives in", () => {
    expect(args(runtime, 'EXPOSE')).toEqual([DEFAULT_PORT]);
    expect(imageEnv.SIMPLEDB_LOCAL_PORT).toBe(DEFAULT_PORT);
    expect(args(runtime, 'VOLUME')).toEqual(['/data']);
    expect(posix.dirname(imageEnv.SIMPLEDB_LOCAL_DB ?? '')).toBe('/data');
    expect(imageEnv.SIMPLEDB_LOCAL_HOST).toBe('0.0.0.0');
  });

  it('sets only environment variables the CLI reads (besides NODE_ENV)', () => {
    const names = Object.keys(imageEnv).filter((n) => n !== 'NODE_ENV');
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(CLI_ENV).toContain(name);
  });

  it('starts the package binary in exec form, so node gets the signals', () => {
    const [cmd] = args(runtime, 'CMD');
    expect(execForm(cmd ?? '')).toEqual(['node', 'dist/emulator/cli.js']);
    const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string> };
    expect(pkg.bin['simpledb-local']).toBe('dist/emulator/cli.js');
    expect(args(runtime, 'WORKDIR')).toEqual(['/app']);
  });

  it('has a HEALTHCHECK in exec form with node (slim images have no curl)', () => {
    const { options, command } = healthcheck(runtime);
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(command[2]).toContain('/_simpledb/health');
    expect(Object.keys(options).sort()).toEqual(['interval', 'retries', 'start-period', 'timeout']);
  });
});

describe('.dockerignore', () => {
  it('keeps local builds, installs and history out of the build context', () => {
    const lines = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'dist', '.git', '*.db']) expect(lines).toContain(entry);
  });
});

describe('docker-compose.yml', () => {
  const simpledb = service('simpledb');
  const tests = service('tests');

  it('builds the emulator from the runtime stage with an init process', () => {
    expect(simpledb.build).toEqual({ context: '.', target: runtime.name });
    expect(simpledb.init).toBe(true);
  });

  it('publishes the container port on 127.0.0.1 only', () => {
    expect(simpledb.ports).toEqual([`127.0.0.1:${DEFAULT_PORT}:${imageEnv.SIMPLEDB_LOCAL_PORT}`]);
  });

  it('mounts a declared named volume where the image keeps its database', () => {
    expect(simpledb.volumes).toHaveLength(1);
    const [name, target] = (simpledb.volumes?.[0] ?? '').split(':');
    expect(target).toBe(posix.dirname(imageEnv.SIMPLEDB_LOCAL_DB ?? ''));
    expect(Object.keys(compose.volumes ?? {})).toEqual([name]);
  });

  it('sets only environment variables the CLI reads', () => {
    for (const name of Object.keys(simpledb.environment ?? {})) expect(CLI_ENV).toContain(name);
  });

  it("repeats the image's healthcheck command exactly", () => {
    expect(simpledb.healthcheck?.test).toEqual(['CMD', ...healthcheck(runtime).command]);
  });

  it('runs the client and counter suites from the builder stage once the emulator is healthy', () => {
    expect(tests.build?.target).toBe('builder');
    expect(tests.depends_on).toEqual({ simpledb: { condition: 'service_healthy' } });
    expect(tests.command).toEqual(['npx', 'vitest', 'run', 'test/client/integration.test.ts', 'test/counter']);
    // The build context is this repository: a suite that reached above its root would fail there.
    for (const path of (tests.command as string[]).slice(3)) {
      const files = path.endsWith('.ts') ? [path] : readdirSync(new URL(`${path}/`, ROOT)).map((f) => `${path}/${f}`);
      for (const file of files) expect(read(file), file).not.toMatch(/'(\.\.\/){3}/);
    }
    expect(tests.environment?.SIMPLEDB_ENDPOINT).toBe(`http://simpledb:${imageEnv.SIMPLEDB_LOCAL_PORT}`);
    // The emulator answers to the service name the suites call it by.
    expect(simpledb.environment?.SIMPLEDB_LOCAL_ALLOWED_HOSTS?.split(/[\s,]+/)).toContain('simpledb');
    // The suites find the endpoint through the shared target helper.
    expect(read('test/support/target.ts')).toContain('process.env.SIMPLEDB_ENDPOINT');
    // `docker compose up` starts only the emulator; `docker compose run tests` enables the profile.
    expect(tests.profiles).toEqual(['test']);
  });
});

describe('the healthcheck command', () => {
  const [node = '', ...nodeArgs] = healthcheck(runtime).command;
  const check = (port: number) =>
    run(node === 'node' ? process.execPath : node, nodeArgs, {
      env: { ...process.env, SIMPLEDB_LOCAL_PORT: String(port) },
      timeout: 10_000,
    }).then(
      () => 0,
      (err: { code?: number | string }) => (typeof err.code === 'number' ? err.code : -1),
    );

  it('exits 0 against a running emulator and non-zero once nothing listens', async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      expect(await check(emulator.port)).toBe(0);
    } finally {
      await emulator.close();
    }
    expect(await check(emulator.port)).not.toBe(0);
  });
});

describe("the image's environment", () => {
  let data: string;
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    data = mkdtempSync(join(tmpdir(), 'simpledb-docker-'));
  });
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  /** What the container would see, but on a free loopback port and a temporary /data. */
  const containerEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    ...imageEnv,
    ...simpledbEnvironment(),
    SIMPLEDB_LOCAL_PORT: '0',
    SIMPLEDB_LOCAL_HOST: '127.0.0.1',
    SIMPLEDB_LOCAL_DB: join(data, basename(imageEnv.SIMPLEDB_LOCAL_DB ?? '')),
  });
  const simpledbEnvironment = () => service('simpledb').environment ?? {};
  const call = async (url: string, body: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    return { status: res.status, text: await res.text() };
  };

  it('starts the CLI, keeps data in the volume across a SIGTERM restart', async () => {
    const first = await spawnServer(CLI, [], containerEnv());
    try {
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await call(first.url, 'Action=CreateDomain&Version=2009-04-15&DomainName=kept')).status).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(existsSync(containerEnv().SIMPLEDB_LOCAL_DB ?? '')).toBe(true);

    const second = await spawnServer(CLI, [], containerEnv());
    try {
      const listed = await call(second.url, 'Action=ListDomains&Version=2009-04-15');
      expect(listed.text).toContain('<DomainName>kept</DomainName>');
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
