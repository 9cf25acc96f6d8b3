import { createRequire } from 'node:module';
import { testControl } from 'simpledb-local/testing';

// A second file that restores a snapshot before each test: in parallel with users.spec.mjs (which
// resets) the two would empty each other's emulator; maxWorkers: 1 keeps them apart.
const AWS = createRequire(import.meta.url)('aws-sdk');
const sdb = new AWS.SimpleDB({ endpoint: process.env.SIMPLEDB_ENDPOINT, region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's' });
const db = testControl();

beforeAll(async () => {
  await db.reset();
  await sdb.createDomain({ DomainName: 'fixtures' }).promise();
  await sdb.putAttributes({ DomainName: 'fixtures', ItemName: 'seed', Attributes: [{ Name: 'n', Value: '1' }] }).promise();
  await db.snapshot('fixtures');
});
beforeEach(() => db.restore('fixtures'));

test('a test changes the fixture', async () => {
  await sdb.putAttributes({ DomainName: 'fixtures', ItemName: 'extra', Attributes: [{ Name: 'n', Value: '2' }] }).promise();
  const out = await sdb.select({ SelectExpression: 'select count(*) from fixtures', ConsistentRead: true }).promise();
  expect(out.Items[0].Attributes).toEqual([{ Name: 'Count', Value: '2' }]);
});

test('the next one starts from the snapshot again', async () => {
  const out = await sdb.select({ SelectExpression: 'select count(*) from fixtures', ConsistentRead: true }).promise();
  expect(out.Items[0].Attributes).toEqual([{ Name: 'Count', Value: '1' }]);
});
