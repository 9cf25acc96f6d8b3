// The bench runs every server under test as a child process (bench/children.ts). A bench that
// crashes must not leave one running: its children are killed as it exits.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILDREN = fileURLToPath(new URL('../../dist/bench/children.js', import.meta.url));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!existsSync(CHILDREN))("the bench's child servers", () => {
  it('are killed when the bench process dies of an uncaught error', async () => {
    const script = `const m = await import(${JSON.stringify(CHILDREN)}); const s = await m.spawnEmulator(); console.log(s.pid); throw new Error('the harness failed');`;
    const bench = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(bench, 'exit');
    const [line] = (await once(createInterface({ input: bench.stdout }), 'line')) as [string];
    const pid = Number(line);
    expect(Number.isInteger(pid) && pid > 0).toBe(true);
    const [code] = (await exited) as [number | null];
    expect(code).toBe(1);
    // SIGKILL was sent as the bench exited; the kernel reaps the orphan at once, but give it a moment, bounded.
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    try {
      expect(alive(pid)).toBe(false);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
