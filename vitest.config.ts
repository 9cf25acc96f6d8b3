import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default is one worker per core minus one: a single worker on a 2-core machine. Many
    // files wait on child processes (emulators, python, chromium) rather than compute, so a second
    // worker overlaps them (on 2 cores: 338 s in two workers, against 412 s in one for a smaller
    // suite before); the suite also passes at two workers under a load average of 10. Four at most,
    // so a large machine does not start dozens of browsers at once.
    maxWorkers: Math.min(4, Math.max(2, availableParallelism() - 1)),
    // Files in one worker share its loaded modules instead of importing them anew, as Vitest's
    // default isolation does: on 2 cores that import was a tenth of the suite's CPU. No test stubs
    // modules, globals or timers, and the few that change process.env put it back.
    isolate: false,
    // The JSON report lets .ci/run print a plain 'N passed, N failed' line that any reader understands.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
