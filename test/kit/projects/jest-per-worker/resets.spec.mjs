import { createRequire } from 'node:module';
import { testControl } from 'simpledb-local/testing';
import { report } from './report.mjs';

// Empties its emulator before every test. On an emulator shared with restores.spec.mjs, running in
// the other worker at the same time, each reset would empty the fixture that file just restored.
const AWS = createRequire(import.meta.url)('aws-sdk');
const sdb = new AWS.SimpleDB({ endpoint: process.env.SIMPLEDB_ENDPOINT, region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's' });
const db = testControl();

beforeAll(() => report('resets'));
beforeEach(() => db.reset());

for (let k = 1; k <= 5; k++) {
  test(`round ${k}: starts empty, writes, and sees only its own writes`, async () => {
    expect((await sdb.listDomains({}).promise()).DomainNames ?? []).toEqual([]);
    await sdb.createDomain({ DomainName: `scratch${k}` }).promise();
    await sdb.putAttributes({ DomainName: `scratch${k}`, ItemName: 'i', Attributes: [{ Name: 'k', Value: String(k) }] }).promise();
    expect((await sdb.listDomains({}).promise()).DomainNames).toEqual([`scratch${k}`]);
  });
}
