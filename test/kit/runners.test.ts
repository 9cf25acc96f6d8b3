// Each runner integration of `simpledb-local/testing` proven the way a user meets it: a tiny real
// project of that runner (test/kit/projects/*) run as a child process against the built package.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const project = (name: string) => fileURLToPath(new URL(`./projects/${name}/`, import.meta.url));
const run = promisify(execFile);

interface Outcome {
  code: number;
  output: string;
}

async function runProject(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd: root,
      env: { ...process.env, SIMPLEDB_ENDPOINT: '', CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', ...env },
      encoding: 'utf8',
      timeout: 90_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'simpledb-kit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The endpoint the project's tests saw, after the run: nothing may listen there any more. */
async function expectClosed(report: string): Promise<void> {
  const url = readFileSync(report, 'utf8');
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  await expect(fetch(`${url}/_simpledb/health`)).rejects.toThrow();
}

describe('test-runner kit', () => {
  it('vitest: globalSetup starts one emulator, provide/inject and SIMPLEDB_ENDPOINT reach the tests', async () => {
    const dir = project('vitest');
    const { code, output } = await runProject(process.execPath, [
      'node_modules/vitest/vitest.mjs', 'run', '--root', dir, '--config', `${dir}vitest.config.mjs`,
    ], { KIT_REPORT: join(scratch, 'vitest') });
    expect(output).toMatch(/Tests\s+4 passed \(4\)/);
    expect(code, output).toBe(0);
    await expectClosed(join(scratch, 'vitest'));
  });

  it('jest: globalSetup/globalTeardown start and stop one emulator for ESM tests', async () => {
    const dir = project('jest');
    const { code, output } = await runProject(
      process.execPath,
      ['node_modules/jest/bin/jest.js', '--config', `${dir}jest.config.mjs`, '--rootDir', dir, '--ci'],
      { NODE_OPTIONS: '--experimental-vm-modules --no-warnings', KIT_REPORT: join(scratch, 'jest') },
    );
    expect(output).toMatch(/Tests:\s+3 passed, 3 total/);
    expect(code, output).toBe(0);
    await expectClosed(join(scratch, 'jest'));
  });

  const python = ['/usr/bin/python3', 'python3'].find(
    (exe) => spawnSync(exe, ['-c', 'import pytest, boto3'], { stdio: 'ignore' }).status === 0,
  );
  it.skipIf(python === undefined)(
    'pytest: the README conftest fixture launches the CLI on port 0 and reads the ready line (needs: apt-get install python3-pytest python3-boto3)',
    async () => {
      const { code, output } = await runProject(
        python ?? 'python3',
        ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', project('pytest')],
        { SIMPLEDB_LOCAL_COMMAND: `${process.execPath} ${root}dist/emulator/cli.js` },
      );
      expect(output).toMatch(/2 passed/);
      expect(code, output).toBe(0);
    },
  );
});
