import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateDomainCommand,
  GetAttributesCommand,
  ListDomainsCommand,
  PutAttributesCommand,
  SimpleDBClient,
  type SimpleDBCredentials,
} from '../../client/index.js';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { KEY, SECRET } from './support.js';

describe('our SimpleDBClient against an emulator holding its key', () => {
  let emu: Emulator;
  const clients: SimpleDBClient[] = [];
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, credentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }] });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.destroy()));
    await emu.close();
  });

  const client = (credentials: SimpleDBCredentials) => {
    const c = new SimpleDBClient({ endpoint: emu.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    clients.push(c);
    return c;
  };

  it('signs requests the emulator accepts, special characters included', async () => {
    const sdb = client({ accessKeyId: KEY, secretAccessKey: SECRET });
    const item = 'a b*c~d/e+f&g=h%i é 日本';
    await sdb.send(new CreateDomainCommand({ DomainName: 'client_dom' }));
    await sdb.send(new PutAttributesCommand({ DomainName: 'client_dom', ItemName: item, Attributes: [{ Name: 'n', Value: "it's (1)!" }] }));
    expect((await sdb.send(new ListDomainsCommand({}))).DomainNames).toEqual(['client_dom']);
    const got = await sdb.send(new GetAttributesCommand({ DomainName: 'client_dom', ItemName: item, ConsistentRead: true }));
    expect(got.Attributes).toEqual([{ Name: 'n', Value: "it's (1)!" }]);
  });

  it('signs a session token the emulator accepts', async () => {
    const sdb = client({ accessKeyId: KEY, secretAccessKey: SECRET, sessionToken: 'token/+=' });
    // The token is part of what is signed: a write accepted proves both were sent and checked.
    await sdb.send(new CreateDomainCommand({ DomainName: 'client_token_dom' }));
    expect((await sdb.send(new ListDomainsCommand({}))).DomainNames).toContain('client_token_dom');
  });

  it('gets SignatureDoesNotMatch 403 with a wrong secret', async () => {
    const sdb = client({ accessKeyId: KEY, secretAccessKey: `${SECRET}wrong` });
    await expect(sdb.send(new ListDomainsCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
  });
});
