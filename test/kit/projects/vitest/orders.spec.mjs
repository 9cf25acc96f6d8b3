import { CreateDomainCommand, ListDomainsCommand, SimpleDBClient } from 'simpledb-local/client';
import { domainPrefix } from 'simpledb-local/testing';
import { expect, inject, it } from 'vitest';

// A second file on the same emulator: its own prefix keeps it apart from users.spec.mjs.
it('shares the emulator with the other file, under its own prefix', async () => {
  const sdb = new SimpleDBClient({ endpoint: inject('simpledbEndpoint'), region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
  const prefix = domainPrefix('orders');
  await sdb.send(new CreateDomainCommand({ DomainName: `${prefix}orders` }));
  const { DomainNames = [] } = await sdb.send(new ListDomainsCommand({}));
  expect(DomainNames.filter((d) => d.startsWith(prefix))).toEqual([`${prefix}orders`]);
});
