// @ts-check
/**
 * One process of the contention test (contention.test.ts), run with child_process.fork. It uses
 * the built client, since a forked Node process cannot load the TypeScript sources (no loader
 * here); the test checks that the build exists. Protocol over IPC: the job comes as argv[2]
 * (JSON); the worker opens the counter and sends `ready`, waits for `go`, runs its increments
 * with incrementWithRetry's default budget, and sends `done` with what it measured; then it
 * closes its connections and exits.
 */
import { Counter, SimpleDBClient } from '../../dist/client/index.js';

/**
 * @typedef {object} Job
 * @property {string | undefined} endpoint absent: real AWS (credentials and region from the environment)
 * @property {{ accessKeyId: string, secretAccessKey: string } | undefined} credentials
 * @property {string} domain
 * @property {string} name
 * @property {number} increments
 */

const job = /** @type {Job} */ (JSON.parse(process.argv[2] ?? '{}'));
const send = (/** @type {object} */ message) =>
  new Promise((resolve, reject) => {
    if (!process.send) throw new Error('contention-worker.mjs must be started with child_process.fork');
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve(undefined)));
  });

const client = new SimpleDBClient({ endpoint: job.endpoint, credentials: job.credentials, requestTimeout: 30_000 });
try {
  const counter = await Counter.open({ client, domain: job.domain, name: job.name });
  const go = new Promise((resolve) => process.once('message', resolve));
  await send({ type: 'ready' });
  await go;
  let conflicts = 0;
  let maxAttempts = 0;
  let maxIncrementMs = 0;
  const started = performance.now();
  for (let i = 0; i < job.increments; i++) {
    let attempts = 1;
    const incrementStarted = performance.now();
    await counter.incrementWithRetry(1, {
      onConflict: (_error, attempt) => {
        conflicts++;
        attempts = attempt + 1;
      },
    });
    process.send?.({ type: 'progress' });
    maxAttempts = Math.max(maxAttempts, attempts);
    maxIncrementMs = Math.max(maxIncrementMs, performance.now() - incrementStarted);
  }
  await send({ type: 'done', conflicts, maxAttempts, maxIncrementMs, ms: performance.now() - started });
} catch (error) {
  await send({ type: 'failed', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  process.exitCode = 1;
} finally {
  await client.destroy();
  process.disconnect();
}
