import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layer rule of docs/notes/architecture.md, checked over every import (type-only ones too)
 * of emulator/: a module imports only from its own layer or lower ones, nothing imports in a
 * circle, and only the store imports better-sqlite3.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../emulator');

/** Lowest first. A module not listed belongs to the composition layer on top (app, index, cli...). */
const LAYERS: readonly { name: string; members: readonly string[] }[] = [
  {
    name: 'vocabulary',
    members: [
      'protocol/errors.ts',
      'protocol/params.ts',
      'protocol/boxUsage.ts',
      'protocol/order.ts',
      'protocol/nextToken.ts',
      'protocol/requestId.ts',
      'protocol/xmlText.ts',
      'auth/',
      'version.ts',
    ],
  },
  { name: 'select', members: ['select/'] },
  { name: 'store', members: ['store/'] },
  { name: 'actions', members: ['actions/'] },
  // The sync toolkit: its hooks and journal, the analysis of that journal, the guard of its routes.
  { name: 'sync', members: ['sync/', 'analyze/', 'control/'] },
  { name: 'protocol', members: ['protocol/'] },
];
const TOP = LAYERS.length;

export function layerOf(file: string): number {
  const i = LAYERS.findIndex((l) => l.members.some((m) => (m.endsWith('/') ? file.startsWith(m) : file === m)));
  return i < 0 ? TOP : i;
}

const layerName = (i: number) => LAYERS[i]?.name ?? 'composition';

/** Module specifiers of every import and re-export declaration. */
export function importsOf(text: string): string[] {
  const source = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  for (const s of source.statements) {
    if ((ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier)) {
      out.push(s.moduleSpecifier.text);
    }
  }
  return out;
}

/** Module → modules it imports, relative to emulator/ ('.ts' paths); packages keep their name. */
export type Graph = ReadonlyMap<string, readonly string[]>;

export function violations(graph: Graph): string[] {
  const found: string[] = [];
  for (const [file, deps] of graph) {
    for (const dep of deps) {
      if (dep === 'better-sqlite3' && !file.startsWith('store/')) found.push(`${file} imports better-sqlite3 outside store/`);
      if (!graph.has(dep)) continue;
      if (layerOf(dep) > layerOf(file)) {
        found.push(`${file} (${layerName(layerOf(file))}) imports ${dep} (${layerName(layerOf(dep))}), a layer above`);
      }
    }
  }
  return [...found, ...cycles(graph)];
}

function cycles(graph: Graph): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (!graph.has(dep)) continue;
      if (state.get(dep) === 'open') found.push(`cycle: ${[...path.slice(path.indexOf(dep)), dep].join(' → ')}`);
      else if (!state.has(dep)) visit(dep);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

function emulatorGraph(): Graph {
  const files = (readdirSync(ROOT, { recursive: true }) as string[])
    .map((f) => f.split('\\').join('/'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  return new Map(
    files.map((file) => {
      const deps = importsOf(readFileSync(join(ROOT, file), 'utf8')).map((spec) =>
        spec.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), spec)).split('\\').join('/').replace(/\.js$/, '.ts') : spec,
      );
      return [file, deps];
    }),
  );
}

describe('the layers of emulator/', () => {
  it('no module imports from a layer above its own or in a circle; only the store opens SQLite', () => {
    const graph = emulatorGraph();
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('store/store.ts')).toContain('better-sqlite3');
    expect(violations(graph)).toEqual([]);
  });

  it('the check finds an upward import, a cycle and SQLite outside the store', () => {
    const graph: Graph = new Map([
      ['protocol/errors.ts', ['actions/types.ts']],
      ['actions/types.ts', ['protocol/errors.ts']],
      ['select/parser.ts', ['better-sqlite3']],
    ]);
    expect(violations(graph)).toEqual([
      'protocol/errors.ts (vocabulary) imports actions/types.ts (actions), a layer above',
      'select/parser.ts imports better-sqlite3 outside store/',
      'cycle: actions/types.ts → protocol/errors.ts → actions/types.ts',
    ]);
  });

  it('reads type-only imports and re-exports as imports', () => {
    expect(importsOf("import type { A } from './a.js';\nexport { b } from '../b.js';\nexport * from 'c';")).toEqual([
      './a.js',
      '../b.js',
      'c',
    ]);
  });
});
