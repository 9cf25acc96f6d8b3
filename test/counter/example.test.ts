/** examples/counter.ts against an in-process emulator: in this process, and as the built script. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runCounterSession } from '../../examples/counter.js';

const BUILT_EXAMPLE = fileURLToPath(new URL('../../dist/examples/counter.js', import.meta.url));

/** The transcript, with the timestamp as a pattern. */
const EXPECTED: (string | RegExp)[] = [
  "> const c = await Counter.create({ client, domain: 'counters', name: 'hits', initial: 0 })",
  '> c.value',
  '0',
  '> await c.increment()',
  '1',
  '> await c.decrement()',
  '0',
  '> +c < 1',
  'true',
  '> Number(c) === 0',
  'true',
  '> `${c} hits`',
  "'0 hits'",
  "> const c2 = await Counter.open({ client, domain: 'counters', name: 'hits' })",
  '> await c2.increment()',
  '1',
  '> await c.increment()',
  'CounterOutOfSyncError: Counter was out of sync: counters/hits holds 1, not the expected 0',
  '> c.value',
  '1',
  '> await c.increment()',
  '2',
  '> c.lastValue',
  '1',
  '> c.timestamp?.toISOString()',
  /^'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z'$/,
  '> c',
  'Counter(counters/hits) 2',
  '> await c.delete()',
];

function expectTranscript(lines: readonly string[]): void {
  expect(lines).toHaveLength(EXPECTED.length);
  EXPECTED.forEach((want, i) => (typeof want === 'string' ? expect(lines[i]).toBe(want) : expect(lines[i]).toMatch(want)));
}

describe('examples/counter.ts', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it('replays the session and prints each step', async () => {
    const lines: string[] = [];
    await runCounterSession({ endpoint: emulator.url, print: (line) => lines.push(line) });
    expectTranscript(lines);
    // Replayable: the session leaves no counter behind.
    const again: string[] = [];
    await runCounterSession({ endpoint: emulator.url, print: (line) => again.push(line) });
    expectTranscript(again);
  });

  it('runs as the built script with SIMPLEDB_ENDPOINT', async () => {
    expect(existsSync(BUILT_EXAMPLE), 'dist/examples/counter.js is missing: run `npm run build` first').toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, [BUILT_EXAMPLE], {
      env: { ...process.env, SIMPLEDB_ENDPOINT: emulator.url, NO_COLOR: '1' },
    });
    expectTranscript(stdout.trimEnd().split('\n'));
  });
});
