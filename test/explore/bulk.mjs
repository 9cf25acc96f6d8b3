// Writes 10 MB of 1,000-byte values in 40 BatchPutAttributes: more parameters than an emulator's
// in-memory journal keeps (16 MB, counted at two bytes a character: these count 21 MB), so a run
// that writes this after a bug must still analyse the requests before it.
import { BatchPutAttributesCommand, CreateDomainCommand, SimpleDBClient } from '../../dist/client/index.js';

const sdb = new SimpleDBClient({ endpoint: process.env.SIMPLEDB_ENDPOINT, region: 'us-east-1' });
await sdb.send(new CreateDomainCommand({ DomainName: 'bulk' }));
const value = 'x'.repeat(1000);
for (let b = 0; b < 40; b++) {
  const Items = Array.from({ length: 25 }, (_, i) => ({ Name: `i${b}-${i}`, Attributes: Array.from({ length: 10 }, (_, a) => ({ Name: `a${a}`, Value: value })) }));
  await sdb.send(new BatchPutAttributesCommand({ DomainName: 'bulk', Items }));
}
await sdb.destroy();
