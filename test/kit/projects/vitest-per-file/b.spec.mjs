import { appendFileSync } from 'node:fs';
import { CreateDomainCommand, ListDomainsCommand, SimpleDBClient } from 'simpledb-local/client';
import { testControl } from 'simpledb-local/testing';
import { beforeEach, expect, it } from 'vitest';

// This file's own emulator: its URL is in SIMPLEDB_ENDPOINT, set by the setup file.
const endpoint = process.env.SIMPLEDB_ENDPOINT;
const sdb = new SimpleDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });

beforeEach(() => testControl().reset());

it('has the emulator to itself, however the other file resets', async () => {
  // Lets the test that runs this project check that each file had its own, closed afterwards.
  if (process.env.KIT_REPORT) appendFileSync(process.env.KIT_REPORT, `${endpoint}\n`);
  for (let k = 0; k < 20; k++) await sdb.send(new CreateDomainCommand({ DomainName: `b-${k}` }));
  const { DomainNames = [] } = await sdb.send(new ListDomainsCommand({}));
  expect(DomainNames).toHaveLength(20);
  expect(DomainNames.every((d) => d.startsWith('b-'))).toBe(true);
});

it('starts empty again after reset', async () => {
  const { DomainNames = [] } = await sdb.send(new ListDomainsCommand({}));
  expect(DomainNames).toEqual([]);
});
