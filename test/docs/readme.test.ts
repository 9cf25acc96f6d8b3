// The README is executable (docs/readme-tests.md), and so are the docs pages its
// reference detail moved to (DOC_PAGES). Every fenced block tagged js,
// javascript, ts, typescript, python, sh, bash or shell runs as a reader would run it, against an
// emulator on 127.0.0.1: the test starts one per block in-process on a free port (port 0) and
// replaces every 8080 in the block by its port. A block that starts the CLI itself (`npm start`,
// `node dist/emulator/cli.js`) gets a free port instead and its servers are stopped after it.
// `<!-- doctest: skip: reason -->` directly above a fence skips that block, with the reason.
// Each block that uses the test's emulator runs twice, the second time on the same emulator
// (docs/readme-tests.md); `<!-- doctest: once: reason -->` runs one just once.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import ts from 'typescript';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.js';
import { OPTION_SPECS } from '../../emulator/options.js';
import { describeFailure, extractBlocks, RUNNERS, runSnippet, startsServer, withPort, WORK, type Block } from './snippets.js';

/**
 * The pages whose code blocks run like the README's. docs/testing.md is left out (test/kit checks
 * its blocks against the kit's projects), and so are docs/notes/ (design notes, not instructions).
 */
const DOC_PAGES = ['docs/client.md', 'docs/counter.md', 'docs/authentication.md', 'docs/sync.md', 'docs/data.md', 'docs/reliability.md', 'docs/explore.md'];

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const readme = read('README.md');
const table = readme.slice(readme.indexOf('<!-- cli-table -->'), readme.indexOf('<!-- /cli-table -->'));
const files = ['README.md', ...DOC_PAGES];
const blocks = files.flatMap((file) => extractBlocks(read(file), file));
const runnable = blocks.filter((b) => b.tag in RUNNERS);

/** A loaded 2-core machine starts python, npm and the AWS CLI slowly. */
const SNIPPET_TIMEOUT_MS = 45_000;

const PYTHON_INSTALL = 'apt-get install python3-boto python3-boto3';
const pythonMissing = spawnSync('/usr/bin/python3', ['-c', 'import boto, boto3'], { stdio: 'ignore' }).status !== 0;

describe('README', () => {
  it('documents every CLI option with its environment variable and default', () => {
    const rows = table.split('\n').filter((l) => l.startsWith('| `--'));
    expect(rows).toHaveLength(OPTION_SPECS.length);
    for (const spec of OPTION_SPECS) {
      const row = rows.find((r) => r.startsWith(`| \`${spec.flag}\``));
      expect(row, spec.flag).toBeDefined();
      expect(row).toContain(`\`${spec.env}\``);
      if (spec.default !== undefined) expect(row).toContain(`\`${spec.default}\``);
    }
  });

  it('gives the two-command quickstart and the test command', () => {
    expect(readme).toMatch(/npm ci\s+npm start/);
    expect(readme).toMatch(/npm ci\s+npm test/);
  });

  it('tags every code block, so that no runnable one goes untested', () => {
    expect(blocks.filter((b) => b.tag === '').map((b) => `${b.file}:${b.line}`)).toEqual([]);
    expect(runnable.length).toBeGreaterThan(10);
    expect(runnable.filter((b) => b.file === 'README.md').length).toBeGreaterThan(5);
    for (const file of DOC_PAGES) expect(runnable.some((b) => b.file === file), file).toBe(true);
  });

  it('links every docs page from its documentation index', () => {
    const pages = readdirSync(new URL('../../docs/', import.meta.url)).filter((f) => f.endsWith('.md'));
    const index = readme.slice(readme.indexOf('## Documentation'));
    for (const page of pages) expect(index, page).toContain(`](docs/${page})`);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function title(block: Block): string {
  const body = block.code.replace(/^import\b[\s\S]*?\bfrom\s+['"][^'"]+['"];?$/gm, '');
  const first = body.split('\n').find((l) => l.trim() !== '' && !/^\s*(#|\/\/|import )/.test(l)) ?? '';
  return `${block.file}:${block.line} ${block.tag}: ${first.trim().slice(0, 60)}`;
}

describe.concurrent('README and docs code blocks run as written', () => {
  afterAll(() => rmSync(WORK, { recursive: true, force: true }));
  for (const block of runnable) {
    if (block.skip !== undefined) {
      it.skip(`${title(block)} (skipped: ${block.skip})`, () => {});
      continue;
    }
    if (RUNNERS[block.tag as keyof typeof RUNNERS] === 'python' && pythonMissing && !process.env.CI) {
      it.skip(`${title(block)} (skipped: needs boto and boto3: ${PYTHON_INSTALL})`, () => {});
      continue;
    }
    it(title(block), { timeout: SNIPPET_TIMEOUT_MS + 15_000 }, async () => {
      // Run inside the repository, these would replace the node_modules every other test is using.
      if (/\bnpm (ci|install|i)\b/.test(block.code)) {
        expect.fail(`${block.file}:${block.line}: installs dependencies; mark it <!-- doctest: skip: reason --> (CI runs the install)`);
      }
      // A block that starts its own server runs once: a second run would start it anew in a fresh
      // directory, the first run over again. The others run twice, as a reader re-runs a snippet, on
      // the same emulator: a write that only works on an empty one fails the second time.
      if (startsServer(block.code)) {
        const outcome = await runSnippet(block, withPort(block.code, await freePort()), SNIPPET_TIMEOUT_MS);
        if (outcome.code !== 0 || outcome.timedOut) expect.fail(describeFailure(block, outcome));
      } else {
        const runs = block.once === undefined ? 2 : 1;
        await using emu = await startEmulator({ port: 0 });
        for (let run = 1; run <= runs; run++) {
          const outcome = await runSnippet(block, withPort(block.code, emu.port), SNIPPET_TIMEOUT_MS);
          if (outcome.code !== 0 || outcome.timedOut) expect.fail(describeFailure(block, outcome, run));
        }
      }
    });
  }

  // A reader who ran the README's client block goes on to docs/client.md's, on the same emulator.
  const readmeClient = runnable.find((b) => b.file === 'README.md' && b.tag === 'ts' && b.code.includes('paginateSelect'));
  const clientPage = runnable.find((b) => b.file === 'docs/client.md' && b.tag === 'ts');
  it('the README\'s typed-client block, then docs/client.md\'s, on one emulator', { timeout: 2 * SNIPPET_TIMEOUT_MS + 15_000 }, async () => {
    expect(readmeClient?.code).toContain('PutAttributesCommand');
    expect(clientPage?.code).toContain('PutAttributesCommand');
    await using emu = await startEmulator({ port: 0 });
    for (const block of [readmeClient, clientPage]) {
      if (block === undefined) continue;
      const outcome = await runSnippet(block, withPort(block.code, emu.port), SNIPPET_TIMEOUT_MS);
      if (outcome.code !== 0 || outcome.timedOut) expect.fail(describeFailure(block, outcome));
    }
  });
});

describe('TypeScript blocks hold for a user', () => {
  const typescript = blocks.filter((b) => b.tag === 'ts' || b.tag === 'typescript');

  it('use no syntax Node 20 lacks when run as written (no `await using`)', () => {
    const code = blocks.filter((b) => ['ts', 'typescript', 'js', 'javascript'].includes(b.tag));
    expect(code.filter((b) => /\bawait using\b/.test(b.code)).map((b) => `${b.file}:${b.line}`)).toEqual([]);
  });

  it('type-check under strict against the built package, as a user\'s project would compile them', { timeout: 120_000 }, () => {
    // Inside the repository, so that `simpledb-local/*` resolves (self-reference) to dist/'s declarations.
    const dir = join(WORK, 'typecheck');
    mkdirSync(dir, { recursive: true });
    const names = typescript.map((b) => {
      const name = join(dir, `${b.file.replace(/\W+/g, '-')}-line${b.line}.mts`);
      // Each block is a module of its own (top-level await needs one), as a user's file would be.
      writeFileSync(name, /^\s*(import|export)\b/m.test(b.code) ? b.code : `${b.code}\nexport {};\n`);
      return name;
    });
    expect(names.length).toBeGreaterThan(3);
    const program = ts.createProgram(names, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
      skipLibCheck: true,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      const block = d.file ? basename(d.file.fileName).replace(/\.mts$/, '') : '?';
      return `${block}${where ? `+${where.line}` : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
    expect(problems).toEqual([]);
  });
});
