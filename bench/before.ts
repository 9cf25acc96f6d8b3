/**
 * `BENCH_BEFORE=<git ref> npm run bench`: the emulator as it was at that commit runs as one more
 * contender of the request benchmarks, so that a change is measured before and after in one run,
 * on the same machine, under the same drift of load. The commit is extracted with `git archive`
 * into a temporary directory, linked to this checkout's node_modules and compiled with its own
 * tsconfig.build.json; the directory is removed when the bench ends.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BeforeBuild {
  /** The abbreviated commit, for labels. */
  readonly commit: string;
  /** Its `dist/emulator/cli.js`. */
  readonly cli: string;
  remove(): void;
}

export function buildBefore(ref: string, root: string): BeforeBuild {
  const commit = execFileSync('git', ['-C', root, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'simpledb-local-before-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const tar = execFileSync('git', ['-C', root, 'archive', '--format=tar', commit], { maxBuffer: 1024 ** 3 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.build.json')], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (err) {
    remove();
    throw new Error(`BENCH_BEFORE=${ref}: could not build that commit: ${(err as Error).message}`);
  }
  return { commit: commit.slice(0, 7), cli: path.join(dir, 'dist', 'emulator', 'cli.js'), remove };
}
