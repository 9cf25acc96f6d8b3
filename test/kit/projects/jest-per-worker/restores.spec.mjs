import { createRequire } from 'node:module';
import { testControl } from 'simpledb-local/testing';
import { report } from './report.mjs';

// Restores a snapshot before every test; see resets.spec.mjs for why they need emulators of their own.
const AWS = createRequire(import.meta.url)('aws-sdk');
const sdb = new AWS.SimpleDB({ endpoint: process.env.SIMPLEDB_ENDPOINT, region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's' });
const db = testControl();

beforeAll(async () => {
  report('restores');
  await db.reset();
  await sdb.createDomain({ DomainName: 'fixtures' }).promise();
  await sdb.putAttributes({ DomainName: 'fixtures', ItemName: 'seed', Attributes: [{ Name: 'n', Value: '1' }] }).promise();
  await db.snapshot('fixtures');
});
beforeEach(() => db.restore('fixtures'));

for (let k = 1; k <= 5; k++) {
  test(`round ${k}: the fixture is there, a write adds to it, the next round starts from it again`, async () => {
    expect((await sdb.listDomains({}).promise()).DomainNames).toEqual(['fixtures']);
    await sdb.putAttributes({ DomainName: 'fixtures', ItemName: `extra${k}`, Attributes: [{ Name: 'n', Value: '2' }] }).promise();
    const out = await sdb.select({ SelectExpression: 'select count(*) from fixtures', ConsistentRead: true }).promise();
    expect(out.Items[0].Attributes).toEqual([{ Name: 'Count', Value: '2' }]);
  });
}
