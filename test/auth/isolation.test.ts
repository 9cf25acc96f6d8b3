import { describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { authParams, formPost, send, signedPost, type Reply } from './support.js';

const ALICE = { accessKeyId: 'AKIDALICE', secretAccessKey: 'alice-secret' };
const BOB = { accessKeyId: 'AKIDBOB', secretAccessKey: 'bob-secret' };

async function start(options: EmulatorOptions): Promise<Emulator> {
  return startEmulator({ port: 0, ...options });
}

/** A request signed with this key pair. */
function as(emu: Emulator, who: { accessKeyId: string; secretAccessKey: string }, params: Record<string, string>): Promise<Reply> {
  const all = authParams(Date.now(), { AWSAccessKeyId: who.accessKeyId, ...params });
  return send(emu.url, signedPost(`127.0.0.1:${emu.port}`, all, { secret: who.secretAccessKey }));
}

const domains = (reply: Reply) => [...reply.body.matchAll(/<DomainName>([^<]*)<\/DomainName>/g)].map((m) => m[1]);

describe('account isolation', () => {
  it('keeps two keys apart: neither lists nor reads the other one’s domains', async () => {
    await using emu = await start({ credentials: [ALICE, BOB], isolateAccounts: true });
    expect((await as(emu, ALICE, { Action: 'CreateDomain', DomainName: 'alpha' })).status).toBe(200);
    await as(emu, ALICE, { Action: 'PutAttributes', DomainName: 'alpha', ItemName: 'i', 'Attribute.1.Name': 'a', 'Attribute.1.Value': '1' });

    expect(domains(await as(emu, ALICE, { Action: 'ListDomains' }))).toEqual(['alpha']);
    expect(domains(await as(emu, BOB, { Action: 'ListDomains' }))).toEqual([]);
    const read = await as(emu, BOB, { Action: 'GetAttributes', DomainName: 'alpha', ItemName: 'i' });
    expect(read).toMatchObject({ status: 400, code: 'NoSuchDomain' });

    // The same name in another account is another domain.
    expect((await as(emu, BOB, { Action: 'CreateDomain', DomainName: 'alpha' })).status).toBe(200);
    expect((await as(emu, BOB, { Action: 'GetAttributes', DomainName: 'alpha', ItemName: 'i' })).body).not.toContain('<Attribute>');
    expect((await as(emu, ALICE, { Action: 'GetAttributes', DomainName: 'alpha', ItemName: 'i' })).body).toContain('<Value>1</Value>');
  });

  it('lets keys that name the same account share it', async () => {
    await using emu = await start({
      credentials: [
        { ...ALICE, account: 'team' },
        { ...BOB, account: 'team' },
        { accessKeyId: 'AKIDCAROL', secretAccessKey: 'carol-secret' },
      ],
      isolateAccounts: true,
    });
    await as(emu, ALICE, { Action: 'CreateDomain', DomainName: 'shared' });
    expect(domains(await as(emu, BOB, { Action: 'ListDomains' }))).toEqual(['shared']);
    expect(domains(await as(emu, { accessKeyId: 'AKIDCAROL', secretAccessKey: 'carol-secret' }, { Action: 'ListDomains' }))).toEqual([]);
  });

  it('is off by default: every key shares one namespace', async () => {
    await using emu = await start({ credentials: [ALICE, BOB] });
    await as(emu, ALICE, { Action: 'CreateDomain', DomainName: 'alpha' });
    expect(domains(await as(emu, BOB, { Action: 'ListDomains' }))).toEqual(['alpha']);
    expect((await as(emu, BOB, { Action: 'GetAttributes', DomainName: 'alpha', ItemName: 'i' })).status).toBe(200);
  });

  it('without credentials namespaces by the AWSAccessKeyId sent, and needs one', async () => {
    await using emu = await start({ isolateAccounts: true });
    const host = `127.0.0.1:${emu.port}`;
    const unsigned = (key: string, params: [string, string][]) => send(emu.url, formPost(host, [['AWSAccessKeyId', key], ...params]));
    await unsigned('one', [['Action', 'CreateDomain'], ['DomainName', 'alpha']]);
    expect(domains(await unsigned('one', [['Action', 'ListDomains']]))).toEqual(['alpha']);
    expect(domains(await unsigned('two', [['Action', 'ListDomains']]))).toEqual([]);
    const keyless = await send(emu.url, formPost(host, [['Action', 'ListDomains']]));
    expect(keyless).toMatchObject({ status: 403, code: 'AuthMissingFailure' });
  });
});
