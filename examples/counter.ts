/**
 * The reliable counter, replayed as an interactive session against a running emulator:
 *
 *   npm run example:counter                      # emulator at http://127.0.0.1:8080
 *   SIMPLEDB_ENDPOINT=http://127.0.0.1:9000 npm run example:counter
 *
 * Each step prints the code, then its result, like a REPL.
 */
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { Counter, CounterOutOfSyncError, CreateDomainCommand, SimpleDBClient } from '../client/index.js';

export interface SessionOptions {
  endpoint: string;
  /** Receives each line of the transcript. */
  print: (line: string) => void;
}

/** Runs the session; leaves no item behind, so it can be replayed against the same emulator. */
export async function runCounterSession({ endpoint, print }: SessionOptions): Promise<void> {
  // The emulator accepts any key pair unless it was started with credentials.
  const client = new SimpleDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' } });
  const show = (code: string, result?: unknown) => {
    print(`> ${code}`);
    if (result !== undefined) print(inspect(result));
  };
  try {
    const domain = 'counters';
    const name = 'hits';
    await client.send(new CreateDomainCommand({ DomainName: domain }));
    // overwrite: a replay starts again at 0 rather than adopting what an earlier run left.
    const c = await Counter.create({ client, domain, name, initial: 0, ifExists: 'overwrite' });
    show(`const c = await Counter.create({ client, domain: '${domain}', name: '${name}', initial: 0 })`);
    show('c.value', c.value);
    show('await c.increment()', await c.increment());
    show('await c.decrement()', await c.decrement());
    show('+c < 1', +c < 1);
    show('Number(c) === 0', Number(c) === 0);
    show('`${c} hits`', `${c} hits`);
    const c2 = await Counter.open({ client, domain, name });
    show(`const c2 = await Counter.open({ client, domain: '${domain}', name: '${name}' })`);
    show('await c2.increment()', await c2.increment());
    print('> await c.increment()');
    try {
      await c.increment();
      print('(no conflict: unexpected)');
    } catch (error) {
      if (!(error instanceof CounterOutOfSyncError)) throw error;
      print(`${error.name}: ${error.message}`);
    }
    show('c.value', c.value);
    show('await c.increment()', await c.increment());
    show('c.lastValue', c.lastValue);
    show('c.timestamp?.toISOString()', c.timestamp?.toISOString());
    show('c', c);
    await c.delete();
    show('await c.delete()');
  } finally {
    await client.destroy();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const endpoint = process.env.SIMPLEDB_ENDPOINT ?? 'http://127.0.0.1:8080';
  runCounterSession({ endpoint, print: (line) => console.log(line) }).catch((error: unknown) => {
    console.error(error instanceof Error && error.message !== '' ? `${error.name}: ${error.message}` : error);
    console.error(`(is an emulator running at ${endpoint}? npm start, or set SIMPLEDB_ENDPOINT)`);
    process.exitCode = 1;
  });
}
