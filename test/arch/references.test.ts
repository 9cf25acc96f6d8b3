// What the repository says must stand on its own in a user's clone: no comment, doc or test may
// point at files that live beside the repository (the project's private references) or at the
// project's private tracker. Comments cite the public Developer Guide or docs/ instead.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = 'test/arch/references.test.ts';

/**
 * The folder beside the repository, spelled in pieces so that this file itself names no path
 * outside the repository.
 */
const BESIDE = ['..', 'shar' + 'ed'].join('/');
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Each names a kind of reference a user cannot follow. */
const FORBIDDEN: readonly { what: string; pattern: RegExp }[] = [
  { what: 'a path outside the repository', pattern: new RegExp(`${escape(BESIDE)}\\b|\\b${escape(BESIDE.slice(3))}\\/(?:spec|wire|DESIGN)`) },
  { what: 'a private design or spec file', pattern: /\bDESIGN\.md\b|\bSIMPLEDB-[a-z]+\.md\b/ },
  { what: 'a section of a private spec', pattern: /\bspec §|§\d/ },
  { what: 'a private contract', pattern: /\bcontract C\d\b/ },
  { what: 'a tracker issue', pattern: /\(issue \d+|\bissue \d+, (?:item|part)/ },
];

export function findReferences(files: readonly { path: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { path, text } of files) {
    text.split('\n').forEach((line, i) => {
      for (const { what, pattern } of FORBIDDEN) if (pattern.test(line)) found.push(`${path}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
    });
  }
  return found;
}

describe('references', () => {
  it('no tracked source, test, doc or script cites something a clone does not have', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => /\.(ts|mts|mjs|js|md|py|json|yml|yaml|sh)$|^\.ci\//.test(f) && f !== 'package-lock.json' && f !== SELF);
    expect(tracked.length).toBeGreaterThan(100);
    const files = tracked.map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));
    expect(findReferences(files)).toEqual([]);
  });

  it('the check finds each kind', () => {
    const text = [`see ${BESIDE}/spec/x`, 'DESIGN.md line 4', 'spec §3', 'contract C7', 'planted (issue 17)', 'fine: the Developer Guide'].join('\n');
    expect(findReferences([{ path: 'x.ts', text }]).map((f) => f.split(': ')[1])).toEqual([
      'a path outside the repository',
      'a private design or spec file',
      'a section of a private spec',
      'a private contract',
      'a tracker issue',
    ]);
  });
});
