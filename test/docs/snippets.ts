/**
 * The fenced code blocks of the README and of the docs pages it links to, and a runner that
 * executes one as a reader would (see docs/readme-tests.md): each in its own directory inside the repository, bounded in time, with
 * everything it started killed afterwards.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Tags that run; any other tag (json, text, …) is documentation only. */
export const RUNNERS = {
  js: 'node',
  javascript: 'node',
  ts: 'node',
  typescript: 'node',
  python: 'python',
  sh: 'bash',
  bash: 'bash',
  shell: 'bash',
} as const;
export type Runner = (typeof RUNNERS)[keyof typeof RUNNERS];

export interface Block {
  /** The Markdown file, relative to the repository root (`README.md`, `docs/client.md`). */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  tag: string;
  code: string;
  /** The reason of a `<!-- doctest: skip: reason -->` line directly above the fence. */
  skip?: string;
  /** The reason of a `<!-- doctest: once: reason -->` line: run once, not twice. */
  once?: string;
}

const SKIP = /^<!--\s*doctest:\s*skip:\s*(.+?)\s*-->$/;
const ONCE = /^<!--\s*doctest:\s*once:\s*(.+?)\s*-->$/;

export function extractBlocks(markdown: string, file: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const fence = open[1] ?? '```';
    const end = lines.findIndex((l, j) => j > i && l.startsWith(fence) && l.trim() === fence);
    if (end === -1) throw new Error(`${file}:${i + 1}: a code fence that is never closed`);
    const above = i > 0 ? SKIP.exec((lines[i - 1] ?? '').trim()) : null;
    const once = i > 0 ? ONCE.exec((lines[i - 1] ?? '').trim()) : null;
    blocks.push({ file, line: i + 1, tag: (open[2] ?? '').trim(), code: lines.slice(i + 1, end).join('\n') + '\n', skip: above?.[1], once: once?.[1] });
    i = end;
  }
  return blocks;
}

/** A snippet that runs the CLI itself gets a free port instead of an emulator started for it. */
export function startsServer(code: string): boolean {
  return /\bnpm start\b|dist\/emulator\/cli\.js|\bnpx (--no-install )?simpledb-local\b|^\s*simpledb-local\b/m.test(code);
}

/** Every 8080 (the README's port) becomes the port of the emulator this snippet gets. */
export function withPort(code: string, port: number): string {
  return code.replace(/\b8080\b/g, String(port));
}

/** The reader's environment minus anything that would make the README work only here. */
export function snippetEnv(home: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('SIMPLEDB_')),
  );
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
  };
}

export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export const WORK = join(ROOT, 'test-results', 'readme-snippets');

/** Writes the snippet where module resolution finds this package (self-reference) and its dependencies. */
function prepare(block: Block, code: string): { dir: string; command: string; args: string[] } {
  mkdirSync(WORK, { recursive: true });
  const dir = mkdtempSync(join(WORK, `${block.file.replace(/\W+/g, '-')}-line${block.line}-`));
  // `npx simpledb-local` finds the bin as in a project that depends on the package; without it,
  // npx inside this repository would install the repository itself into its cache and build it.
  // Not where the block runs `npm start` or `npm run`: a node_modules here would make this
  // directory the npm project, which has no package.json.
  if (/\bnpx (--no-install )?simpledb-local\b/.test(code) && !/\bnpm (start|run)\b/.test(code)) {
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(join(ROOT, 'dist', 'emulator', 'cli.js'), join(dir, 'node_modules', '.bin', 'simpledb-local'));
  }
  const runner = RUNNERS[block.tag as keyof typeof RUNNERS];
  if (runner === 'python') {
    writeFileSync(join(dir, 'snippet.py'), code);
    return { dir, command: '/usr/bin/python3', args: ['snippet.py'] };
  }
  if (runner === 'bash') {
    writeFileSync(join(dir, 'snippet.sh'), code);
    return { dir, command: 'bash', args: ['-e', '-o', 'pipefail', 'snippet.sh'] };
  }
  if (block.tag === 'ts' || block.tag === 'typescript') {
    const { outputText } = ts.transpileModule(code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      reportDiagnostics: false,
    });
    writeFileSync(join(dir, 'snippet.mjs'), outputText);
    return { dir, command: process.execPath, args: ['snippet.mjs'] };
  }
  // JavaScript blocks are CommonJS scripts, as `node file.js` outside a "type": "module" package runs them.
  writeFileSync(join(dir, 'snippet.cjs'), code);
  return { dir, command: process.execPath, args: ['snippet.cjs'] };
}

/**
 * Runs the snippet in a process group of its own, so that servers it starts in the background are
 * stopped with it: SIGTERM to the group when the snippet ends, SIGKILL if they linger.
 */
export async function runSnippet(block: Block, code: string, timeoutMs: number): Promise<Outcome> {
  const { dir, command, args } = prepare(block, code);
  const child = spawn(command, args, { cwd: dir, env: snippetEnv(dir), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid ?? 0), signal);
    } catch {
      // The group is already gone.
    }
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    group('SIGKILL');
  }, timeoutMs);
  const closed = once(child, 'close');
  const [exitCode, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  group('SIGTERM');
  const straggler = setTimeout(() => group('SIGKILL'), 5000);
  await closed;
  clearTimeout(straggler);
  return { code: exitCode, signal, timedOut, stdout, stderr };
}

export function describeFailure(block: Block, outcome: Outcome, run = 1): string {
  const tail = (s: string) => s.trim().split('\n').slice(-25).join('\n');
  const how =
    (outcome.timedOut ? 'did not finish in time' : `exited with ${outcome.signal ?? `code ${String(outcome.code)}`}`) +
    (run > 1 ? ` when run again on the same emulator (run ${run})` : '');
  return [
    `${block.file}:${block.line} (\`\`\`${block.tag}) ${how}`,
    `--- stderr ---\n${tail(outcome.stderr)}`,
    `--- stdout ---\n${tail(outcome.stdout)}`,
    `--- the block (8080 is replaced by the port it was given) ---\n${block.code.trim()}`,
  ].join('\n');
}
