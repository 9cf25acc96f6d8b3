import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { domainPrefix, testControl } from 'simpledb-local/testing';

// aws-sdk v2, as most Jest suites that use SimpleDB do.
const AWS = createRequire(import.meta.url)('aws-sdk');
const sdb = new AWS.SimpleDB({
  endpoint: process.env.SIMPLEDB_ENDPOINT,
  region: 'us-east-1',
  accessKeyId: 'k',
  secretAccessKey: 's',
});
const domain = `${domainPrefix('jest')}users`;

test('the globalSetup published the URL', () => {
  expect(process.env.SIMPLEDB_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  // Lets the test that runs this project check afterwards that the teardown closed the emulator.
  if (process.env.KIT_REPORT) writeFileSync(process.env.KIT_REPORT, process.env.SIMPLEDB_ENDPOINT);
});

test('aws-sdk v2 writes and reads through the shared emulator', async () => {
  await sdb.createDomain({ DomainName: domain }).promise();
  await sdb.putAttributes({ DomainName: domain, ItemName: 'u1', Attributes: [{ Name: 'name', Value: 'Ada' }] }).promise();
  const out = await sdb.getAttributes({ DomainName: domain, ItemName: 'u1', ConsistentRead: true }).promise();
  expect(out.Attributes).toEqual([{ Name: 'name', Value: 'Ada' }]);
});

test('reset drops what the test made', async () => {
  await testControl().reset();
  const out = await sdb.listDomains({}).promise();
  expect(out.DomainNames ?? []).toEqual([]);
});
