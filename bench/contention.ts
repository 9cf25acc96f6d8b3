/**
 * Counter contention: workers, each with its own client and Counter object on one item, call
 * `incrementWithRetry(1)` for a fixed time. Exactness: the final value must equal the successful
 * increments. The workers share this process (one core) while the emulator has its own.
 */
import { Counter, SimpleDBClient } from '../client/index.js';

export interface Contention {
  method: string;
  workers: number;
  seconds: number;
  increments: number;
  incrementsPerSecond: number;
  conflicts: number;
  finalValue: number;
  exact: boolean;
}

const DOMAIN = 'bench';
const NAME = 'contended';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bench' };

export async function counterContention(url: string, workers: number, seconds: number): Promise<Contention> {
  const clients = Array.from({ length: workers }, () => new SimpleDBClient({ endpoint: url, region: 'us-east-1', credentials }));
  try {
    const [first] = clients;
    if (!first) throw new Error('no workers');
    await Counter.create({ client: first, domain: DOMAIN, name: NAME, initial: 0, ifExists: 'overwrite' });
    let increments = 0;
    let conflicts = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    const worker = async (client: SimpleDBClient): Promise<void> => {
      const counter = await Counter.open({ client, domain: DOMAIN, name: NAME });
      while (performance.now() < end) {
        await counter.incrementWithRetry(1, { maxAttempts: 1000, baseDelayMs: 1, maxDelayMs: 20, onConflict: () => conflicts++ });
        increments++;
      }
    };
    await Promise.all(clients.map(worker));
    const elapsed = (performance.now() - start) / 1000;
    const finalValue = (await Counter.open({ client: first, domain: DOMAIN, name: NAME })).value;
    return {
      method: 'Counter.incrementWithRetry, one client and Counter per worker',
      workers,
      seconds: elapsed,
      increments,
      incrementsPerSecond: increments / elapsed,
      conflicts,
      finalValue,
      exact: finalValue === increments,
    };
  } finally {
    await Promise.all(clients.map((c) => c.destroy()));
  }
}
