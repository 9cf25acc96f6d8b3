// A test process that starts an emulator of its own, as the kit's per-worker and per-file set-ups
// do, and runs the naive counter against it; it exits 0 whatever the count, so under explore only
// the analysis of that emulator's journal can fail the run.
import { CreateDomainCommand, GetAttributesCommand, PutAttributesCommand, SimpleDBClient } from '../../dist/client/index.js';
import { startOwnEmulator } from '../../dist/emulator/testing/index.js';

const emu = await startOwnEmulator();
const sdb = new SimpleDBClient({ endpoint: emu.url, region: 'us-east-1' });
const read = async () => {
  const got = await sdb.send(new GetAttributesCommand({ DomainName: 'counters', ItemName: 'c' }));
  return got.Attributes?.find((a) => a.Name === 'n')?.Value ?? '0';
};
await sdb.send(new CreateDomainCommand({ DomainName: 'counters' }));
await sdb.send(new PutAttributesCommand({ DomainName: 'counters', ItemName: 'c', Attributes: [{ Name: 'n', Value: '0', Replace: true }] }));
for (let i = 0; i < 10; i++) {
  const value = await read();
  await sdb.send(new PutAttributesCommand({ DomainName: 'counters', ItemName: 'c', Attributes: [{ Name: 'n', Value: String(Number(value) + 1), Replace: true }] }));
}
await sdb.destroy();
await emu.close();
console.log(`own emulator: ${emu.url}`);
