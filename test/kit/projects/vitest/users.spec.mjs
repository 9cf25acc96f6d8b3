import { writeFileSync } from 'node:fs';
import { CreateDomainCommand, GetAttributesCommand, PutAttributesCommand, SimpleDBClient } from 'simpledb-local/client';
import { domainPrefix, testControl } from 'simpledb-local/testing';
import { beforeEach, expect, inject, it } from 'vitest';

const endpoint = inject('simpledbEndpoint');
const sdb = new SimpleDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
const domain = `${domainPrefix('users')}users`;

beforeEach(async () => {
  await sdb.send(new CreateDomainCommand({ DomainName: domain }));
});

it('sees the URL both ways', () => {
  expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(process.env.SIMPLEDB_ENDPOINT).toBe(endpoint);
  // Lets the test that runs this project check afterwards that the teardown closed the emulator.
  if (process.env.KIT_REPORT) writeFileSync(process.env.KIT_REPORT, endpoint);
});

it('writes and reads through the shared emulator', async () => {
  await sdb.send(new PutAttributesCommand({ DomainName: domain, ItemName: 'u1', Attributes: [{ Name: 'name', Value: 'Ada' }] }));
  const out = await sdb.send(new GetAttributesCommand({ DomainName: domain, ItemName: 'u1', ConsistentRead: true }));
  expect(out.Attributes).toEqual([{ Name: 'name', Value: 'Ada' }]);
});

it('resets between tests on request', async () => {
  await testControl().reset();
  await expect(sdb.send(new GetAttributesCommand({ DomainName: domain, ItemName: 'u1' }))).rejects.toMatchObject({ name: 'NoSuchDomain' });
});
