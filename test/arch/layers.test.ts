import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layer rule of docs/notes/architecture.md, checked over every import (type-only ones too)
 * of emulator/: each folder is one layer, a module imports only from its own layer or lower ones,
 * nothing imports in a circle, only the store imports better-sqlite3, and nothing below the HTTP
 * layer imports Express or Node's HTTP modules.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../emulator');

/** Lowest first, one folder each. Files outside them (app wiring: index, cli, options, commands/, testing/) compose the rest. */
export const LAYERS = ['core', 'select', 'store', 'actions', 'sync', 'data', 'http'] as const;
const TOP = LAYERS.length;
const HTTP = LAYERS.indexOf('http');
const HTTP_MODULES: ReadonlySet<string> = new Set(['express', 'node:http', 'http', 'node:https', 'https', 'node:http2']);

export function layerOf(file: string): number {
  const i = LAYERS.findIndex((l) => file.startsWith(`${l}/`));
  return i < 0 ? TOP : i;
}

const layerName = (i: number) => LAYERS[i] ?? 'composition';

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
      if (HTTP_MODULES.has(dep) && layerOf(file) < HTTP) found.push(`${file} (${layerName(layerOf(file))}) imports ${dep} below the HTTP layer`);
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
    // The console's browser code is compiled apart and may import only types (test below).
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('console/'));
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
  it('no module imports from a layer above its own or in a circle; only the store opens SQLite; only http/ knows HTTP', () => {
    const graph = emulatorGraph();
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('store/store.ts')).toContain('better-sqlite3');
    expect(graph.get('http/app.ts')).toContain('express');
    // Every module is in a layer folder or is one of the few that wire them together.
    const composition = [...graph.keys()].filter((f) => layerOf(f) === TOP).sort();
    expect(composition.every((f) => /^(commands|testing)\/|^[a-z]+\.ts$/.test(f))).toBe(true);
    expect(violations(graph)).toEqual([]);
  });

  it('the check finds an upward import, a cycle and SQLite outside the store', () => {
    const graph: Graph = new Map([
      ['core/errors.ts', ['actions/types.ts']],
      ['actions/types.ts', ['core/errors.ts']],
      ['select/parser.ts', ['better-sqlite3']],
      ['sync/request.ts', ['express']],
      ['http/app.ts', ['express', 'sync/request.ts']],
    ]);
    expect(violations(graph)).toEqual([
      'core/errors.ts (core) imports actions/types.ts (actions), a layer above',
      'select/parser.ts imports better-sqlite3 outside store/',
      'sync/request.ts (sync) imports express below the HTTP layer',
      'cycle: actions/types.ts → core/errors.ts → actions/types.ts',
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
