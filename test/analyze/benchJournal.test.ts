// `npm run bench` measures the analysis on a synthetic journal (bench/analyze.ts) and states that
// it is shaped like the emulator's: the same fields, so that reading and parsing it (the floor)
// and analysing it cost what they would on a journal the emulator wrote. This holds it to that.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticJournal } from '../../bench/analyze.js';
import { as } from './support.js';
import { createDomain, start } from '../support/sync.js';

const dir = mkdtempSync(join(tmpdir(), 'sdb-bench-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Line = Record<string, unknown>;
const lines = (path: string): Line[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
const shape = (e: Line) => ({ keys: Object.keys(e).sort(), read: Object.keys((e.read as Line | undefined) ?? {}).sort(), request: Object.keys((e.request as Line | null) ?? {}).sort() });

describe("the bench's synthetic journal", () => {
  it('has the fields of the entries the emulator writes, for a read, a write and a failed conditional write', async () => {
    const file = join(dir, 'emulator.ndjson');
    const emu = await start({ journal: file });
    try {
      await createDomain(emu, 'dom');
      // As the synthetic clients do, with the consistency simulation on (atSeq, read.asOfSeq).
      emu.control.consistency({ mode: 'eventual', maxStalenessMs: 50, seed: 1 });
      const client = as(emu, 'c1');
      expect(await client.put('dom', 'i1', { n: '1' })).toBe(200);
      await client.get('dom', 'i1', false);
      expect(await client.put('dom', 'i1', { n: '2' }, { name: 'n', value: '1' })).toBe(200);
      expect(await client.put('dom', 'i1', { n: '3' }, { name: 'n', value: '1' })).toBe(409);
    } finally {
      await emu.close();
    }
    const real = lines(file).filter((e) => e.action === 'GetAttributes' || e.action === 'PutAttributes');
    const synthetic = join(dir, 'synthetic.ndjson');
    writeSyntheticJournal(synthetic, 400);
    const made = lines(synthetic);
    const ofKind = (list: Line[], action: string, code: string, conditional: boolean) =>
      list.find((e) => e.action === action && e.code === code && ('Expected.1.Name' in (e.params as Line)) === conditional && !('faults' in e));
    for (const [action, code, conditional] of [
      ['GetAttributes', 'Success', false],
      ['PutAttributes', 'Success', false],
      ['PutAttributes', 'Success', true],
      ['PutAttributes', 'ConditionalCheckFailed', true],
    ] as const) {
      const r = ofKind(real, action, code, conditional);
      const s = ofKind(made, action, code, conditional);
      expect(r, `the emulator wrote a ${action} ${code}`).toBeDefined();
      expect(s, `the bench wrote a ${action} ${code}`).toBeDefined();
      expect(shape(s as Line), `${action} ${code}${conditional ? ' (conditional)' : ''}`).toEqual(shape(r as Line));
    }
    // The same journal from unnamed clients opening a connection per request: the same fields,
    // no client name, and a connection of its own for every request.
    const perRequest = join(dir, 'per-request.ndjson');
    writeSyntheticJournal(perRequest, 400, 'connection per request');
    const unnamed = lines(perRequest);
    expect(unnamed.map(shape)).toEqual(made.map(shape));
    expect(unnamed.every((e) => e.client === null)).toBe(true);
    expect(new Set(unnamed.map((e) => e.connection)).size).toBe(400);
  });
});
