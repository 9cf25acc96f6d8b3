// The naive counter of naive_counter.py written with this package's client: read, add one,
// write back, ten times in sequence. Exits 1 when the final count is wrong.
import { CreateDomainCommand, GetAttributesCommand, PutAttributesCommand, SimpleDBClient } from '../../dist/client/index.js';

const sdb = new SimpleDBClient({ endpoint: process.env.SIMPLEDB_ENDPOINT, region: 'us-east-1' });
const N = 10;
const read = async (consistent) => {
  const got = await sdb.send(new GetAttributesCommand({ DomainName: 'counters', ItemName: 'c', ConsistentRead: consistent }));
  return got.Attributes?.find((a) => a.Name === 'n')?.Value ?? '0';
};
await sdb.send(new CreateDomainCommand({ DomainName: 'counters' }));
await sdb.send(new PutAttributesCommand({ DomainName: 'counters', ItemName: 'c', Attributes: [{ Name: 'n', Value: '0', Replace: true }] }));
for (let i = 0; i < N; i++) {
  const value = await read(false);
  await sdb.send(
    new PutAttributesCommand({ DomainName: 'counters', ItemName: 'c', Attributes: [{ Name: 'n', Value: String(Number(value) + 1), Replace: true }] }),
  );
}
const final = await read(true);
console.log(`counter: ${final} after ${N} increments`);
sdb.destroy?.();
process.exit(final === String(N) ? 0 : 1);
