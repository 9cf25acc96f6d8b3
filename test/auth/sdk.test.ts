import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { KEY, SECRET } from './support.js';

process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
const { default: SimpleDB } = await import('aws-sdk/clients/simpledb.js');

describe('aws-sdk v2 against an emulator holding its key', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, credentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }] });
  });
  afterAll(() => emu.close());

  const client = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
    new SimpleDB({ endpoint: emu.url, region: 'us-east-1', credentials, maxRetries: 0 });

  it('is accepted with the configured key pair', async () => {
    const sdb = client({ accessKeyId: KEY, secretAccessKey: SECRET });
    await sdb.createDomain({ DomainName: 'sdk_dom' }).promise();
    await sdb
      .putAttributes({ DomainName: 'sdk_dom', ItemName: 'a b*c~d/e+f&g=h%i é 日本', Attributes: [{ Name: 'n', Value: 'a b*c' }] })
      .promise();
    expect((await sdb.listDomains().promise()).DomainNames).toEqual(['sdk_dom']);
    const item = await sdb.getAttributes({ DomainName: 'sdk_dom', ItemName: 'a b*c~d/e+f&g=h%i é 日本', ConsistentRead: true }).promise();
    expect(item.Attributes).toEqual([{ Name: 'n', Value: 'a b*c' }]);
  });

  it('is accepted with a session token, which it signs as SecurityToken', async () => {
    const sdb = client({ accessKeyId: KEY, secretAccessKey: SECRET, sessionToken: 'token/+=' });
    // The token is part of what is signed: a write accepted proves both were sent and checked.
    await sdb.createDomain({ DomainName: 'sdk_token_dom' }).promise();
    expect((await sdb.listDomains().promise()).DomainNames).toContain('sdk_token_dom');
  });

  it('gets SignatureDoesNotMatch 403 with a wrong secret', async () => {
    const sdb = client({ accessKeyId: KEY, secretAccessKey: `${SECRET}wrong` });
    await expect(sdb.listDomains().promise()).rejects.toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 403 });
  });

  it('gets InvalidClientTokenId 403 with an unknown key', async () => {
    const sdb = client({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: SECRET });
    await expect(sdb.listDomains().promise()).rejects.toMatchObject({ code: 'InvalidClientTokenId', statusCode: 403 });
  });
});
