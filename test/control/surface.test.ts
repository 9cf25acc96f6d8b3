// The control surface: each unauthenticated and cross-origin attempt
// the issue found, refused when authentication is on; the unauthenticated ones open, as before,
// when it is off; cross-origin ones refused either way unless --cors names the origin; with
// isolated accounts, the journal and a reset reach only the caller's own account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateDomainCommand, ListDomainsCommand } from '../../client/index.js';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import type { JournalEntry } from '../../emulator/sync/index.js';
import { ALICE, BOB, clientFor, codeOf, EVIL, JSON_TYPE, request, type Answer, type Key } from './support.js';

const FAULT = JSON.stringify({ action: 'ListDomains', error: 'ServiceUnavailable' });

/** The attempts of the issue, without credentials, each sent the way a script or a page would send it. */
const UNSIGNED: readonly { what: string; path: string; method: string; type?: string; body?: string }[] = [
  { what: 'reset', path: '/_simpledb/reset', method: 'POST', type: JSON_TYPE, body: '{}' },
  { what: 'journal read', path: '/_simpledb/journal', method: 'GET' },
  { what: 'fault injection', path: '/_simpledb/faults', method: 'POST', type: JSON_TYPE, body: FAULT },
  { what: 'moto reset (a bare POST)', path: '/moto-api/reset', method: 'POST' },
];

async function listDomains(emu: Emulator, key: Key): Promise<string[]> {
  const client = clientFor(emu, key);
  try {
    return (await client.send(new ListDomainsCommand({}))).DomainNames ?? [];
  } finally {
    await client.destroy();
  }
}

async function createDomains(emu: Emulator, key: Key, names: string[]): Promise<void> {
  const client = clientFor(emu, key);
  try {
    for (const name of names) await client.send(new CreateDomainCommand({ DomainName: name }));
  } finally {
    await client.destroy();
  }
}

function send(emu: Emulator, a: (typeof UNSIGNED)[number], as?: Key): Promise<Answer> {
  return request(emu, a.path, { method: a.method, as, headers: a.type ? { 'content-type': a.type } : {}, body: a.body });
}

function expectUnauthorized(answer: Answer): void {
  expect(answer.status).toBe(401);
  expect(answer.headers.get('www-authenticate')).toBe('Basic realm="simpledb-local"');
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(codeOf(answer)).toBe('Unauthorized');
}

describe('with authentication on (isolated accounts)', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, credentials: [ALICE, BOB], isolateAccounts: true });
  });
  afterAll(async () => {
    await emu.close();
  });

  it.each(UNSIGNED)('refuses an unsigned $what with 401 and changes nothing', async (attempt) => {
    await createDomains(emu, ALICE, ['kept']);
    expectUnauthorized(await send(emu, attempt));
    expect(await listDomains(emu, ALICE)).toContain('kept');
    expect(emu.control.faults.list()).toEqual([]);
  });

  it.each([
    ['a wrong secret', { ...ALICE, secretAccessKey: 'guess' }],
    ['an unknown key', { accessKeyId: 'AKIDNOBODY', secretAccessKey: ALICE.secretAccessKey }],
  ])('refuses %s', async (_what, key) => {
    expectUnauthorized(await request(emu, '/_simpledb/journal', { as: key }));
    expectUnauthorized(await request(emu, '/_simpledb/faults', { method: 'POST', as: key, headers: { 'content-type': JSON_TYPE }, body: FAULT }));
    expect(emu.control.faults.list()).toEqual([]);
  });

  it('refuses a malformed Authorization header and a routeless control path alike', async () => {
    expectUnauthorized(await request(emu, '/_simpledb/journal', { headers: { authorization: 'Basic !!!' } }));
    expectUnauthorized(await request(emu, '/_simpledb/journal', { headers: { authorization: `Bearer ${ALICE.secretAccessKey}` } }));
    // The guard sits before every route under the prefixes, so an unknown one reveals nothing either.
    expectUnauthorized(await request(emu, '/_simpledb/anything'));
    expectUnauthorized(await request(emu, '/moto-api/anything'));
  });

  it('leaves the health check open', async () => {
    const health = await request(emu, '/_simpledb/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok' });
  });

  it('lets a configured key in: faults, consistency and its own journal', async () => {
    const added = await request(emu, '/_simpledb/faults', { method: 'POST', as: BOB, headers: { 'content-type': JSON_TYPE }, body: FAULT });
    expect(added.status).toBe(201);
    expect(emu.control.faults.list()).toHaveLength(1);
    const cleared = await request(emu, '/_simpledb/faults', { method: 'DELETE', as: BOB, headers: { 'content-type': JSON_TYPE } });
    expect(cleared.status).toBe(200);
    expect(emu.control.faults.list()).toEqual([]);
  });

  it('shows each account only its own journal entries, and clears only those', async () => {
    await request(emu, '/_simpledb/journal', { method: 'DELETE', as: ALICE, headers: { 'content-type': JSON_TYPE } });
    await request(emu, '/_simpledb/journal', { method: 'DELETE', as: BOB, headers: { 'content-type': JSON_TYPE } });
    await createDomains(emu, ALICE, ['alice-secret-plans']);
    await createDomains(emu, BOB, ['bob-diary']);
    const journal = async (key: Key) =>
      ((await request(emu, '/_simpledb/journal', { as: key })).json as { entries: JournalEntry[] }).entries;
    const alice = await journal(ALICE);
    expect(alice.map((e) => e.domain)).toEqual(['alice-secret-plans']);
    expect(alice.every((e) => e.account === 'alice')).toBe(true);
    // BOB names no account, so his key is his account.
    expect((await journal(BOB)).map((e) => [e.domain, e.account])).toEqual([['bob-diary', BOB.accessKeyId]]);
    const ndjson = await request(emu, '/_simpledb/journal.ndjson', { as: BOB });
    expect(ndjson.text).not.toContain('alice');

    await request(emu, '/_simpledb/journal', { method: 'DELETE', as: BOB, headers: { 'content-type': JSON_TYPE } });
    expect(await journal(BOB)).toEqual([]);
    expect((await journal(ALICE)).map((e) => e.domain)).toEqual(['alice-secret-plans']);
    // From code the journal is the operator's: every account's.
    expect(emu.control.journal({ domain: 'alice-secret-plans' })).toHaveLength(1);
  });

  it('gives each account the latest sequence number of its own requests, not a count of everyone’s', async () => {
    await createDomains(emu, ALICE, ['alice-counted']);
    const aliceSeq = emu.control.journal({ domain: 'alice-counted' })[0]?.seq;
    await createDomains(emu, BOB, ['bob-1', 'bob-2', 'bob-3']);
    const page = async (key: Key, method = 'GET') =>
      (await request(emu, '/_simpledb/journal', { method, as: key, headers: { 'content-type': JSON_TYPE } })).json as { latestSeq: number; entries: JournalEntry[] };
    const alice = await page(ALICE);
    expect(alice.latestSeq).toBe(aliceSeq);
    expect(alice.latestSeq).toBe(Math.max(...alice.entries.map((e) => e.seq)));
    expect((await page(ALICE, 'DELETE')).latestSeq).toBe(aliceSeq);
    const bob = await page(BOB);
    expect(bob.latestSeq).toBe(emu.control.journal({ domain: 'bob-3' })[0]?.seq);
  });

  it.each(['/_simpledb/reset', '/moto-api/reset'])('%s drops only the caller’s domains', async (path) => {
    await createDomains(emu, ALICE, ['alice-1', 'alice-2']);
    await createDomains(emu, BOB, ['bob-1']);
    const reset = await request(emu, path, { method: 'POST', as: ALICE, headers: { 'content-type': JSON_TYPE } });
    expect(reset).toMatchObject({ status: 200, json: { status: 'reset' } });
    expect(await listDomains(emu, ALICE)).toEqual([]);
    expect(await listDomains(emu, BOB)).toContain('bob-1');
  });

  it('refuses a signed-in request from a foreign page all the same', async () => {
    const page = await request(emu, '/_simpledb/reset', {
      method: 'POST',
      as: ALICE,
      headers: { origin: EVIL, 'content-type': JSON_TYPE },
      body: '{}',
    });
    expect(page.status).toBe(403);
    expect(codeOf(page)).toBe('ForeignOrigin');
  });
});

describe('with authentication off (the default)', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emu.close();
  });

  it.each(UNSIGNED)('allows an unsigned $what, as before', async (attempt) => {
    await createDomains(emu, BOB, ['ddd']);
    const answer = await send(emu, attempt);
    expect(answer.status).toBeLessThan(300);
    if (attempt.what.includes('reset')) expect(await listDomains(emu, BOB)).toEqual([]);
    if (attempt.what === 'fault injection') {
      expect(emu.control.faults.list()).toHaveLength(1);
      emu.control.faults.clear();
    }
  });

  it('shows every account’s journal, and a reset drops every domain', async () => {
    await createDomains(emu, ALICE, ['one']);
    const journal = (await request(emu, '/_simpledb/journal?action=CreateDomain&limit=1')).json as { entries: JournalEntry[] };
    expect(journal.entries.map((e) => e.domain)).toEqual(['one']);
    expect(journal.entries[0]?.account).toBeUndefined();
  });
});

describe.each([
  ['on', { credentials: [ALICE] }],
  ['off', {}],
] as const)('cross-origin requests, authentication %s', (_auth, options) => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, ...options });
  });
  afterAll(async () => {
    await emu.close();
  });
  const as = 'credentials' in options ? ALICE : undefined;

  // What a page can send without the browser asking first: a "simple" text/plain POST.
  it.each(['/_simpledb/faults', '/_simpledb/reset'])('refuses a text/plain POST from a foreign page to %s', async (path) => {
    await createDomains(emu, ALICE, ['victim']);
    const attack = await request(emu, path, { method: 'POST', as, headers: { origin: EVIL, 'content-type': 'text/plain' }, body: FAULT });
    expect(attack.status).toBe(403);
    expect(attack.headers.get('content-type')).toMatch(/^application\/json/);
    expect(codeOf(attack)).toBe('ForeignOrigin');
    expect(attack.headers.get('access-control-allow-origin')).toBeNull();
    expect(emu.control.faults.list()).toEqual([]);
    expect(await listDomains(emu, ALICE)).toContain('victim');
  });

  it('refuses the same POST with no Origin but a cross-site Sec-Fetch-Site, and a text/plain one from no page at all', async () => {
    const crossSite = await request(emu, '/_simpledb/faults', {
      method: 'POST',
      as,
      headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' },
      body: FAULT,
    });
    expect([crossSite.status, codeOf(crossSite)]).toEqual([403, 'ForeignOrigin']);
    const plain = await request(emu, '/_simpledb/faults', { method: 'POST', as, headers: { 'content-type': 'text/plain' }, body: FAULT });
    expect([plain.status, codeOf(plain)]).toEqual([415, 'UnsupportedMediaType']);
    expect(emu.control.faults.list()).toEqual([]);
  });

  it('lets the emulator’s own origin in', async () => {
    const own = await request(emu, '/_simpledb/faults', {
      method: 'POST',
      as,
      headers: { origin: emu.url, 'sec-fetch-site': 'same-origin', 'content-type': JSON_TYPE },
      body: FAULT,
    });
    expect(own.status).toBe(201);
    emu.control.faults.clear();
  });

  it.each([
    ['a foreign Origin', { origin: EVIL }],
    ['Origin: null (a sandboxed page or a file)', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
  ])('refuses %s on the protocol route with AccessFailure', async (_what, headers) => {
    const r = await request(emu, '/?Action=ListDomains&Version=2009-04-15', { headers });
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toBe('text/xml');
    expect(r.text).toContain('<Code>AccessFailure</Code><Message>Access to the resource / is denied.</Message>');
  });
});

describe('--cors', () => {
  const APP = 'http://localhost:3000';
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, cors: [APP], credentials: [ALICE] });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('answers the named origin’s preflight, on control and protocol routes alike', async () => {
    for (const path of ['/_simpledb/faults', '/']) {
      const preflight = await request(emu, path, {
        method: 'OPTIONS',
        headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(APP);
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    }
    const foreign = await request(emu, '/_simpledb/faults', {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'POST' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the named origin call both, with the CORS answer header, and still asks it for credentials', async () => {
    const headers = { origin: APP, 'sec-fetch-site': 'same-site', 'content-type': JSON_TYPE };
    const unsigned = await request(emu, '/_simpledb/journal', { headers });
    expect(unsigned.status).toBe(401);
    const control = await request(emu, '/_simpledb/faults', { method: 'POST', as: ALICE, headers, body: FAULT });
    expect(control.status).toBe(201);
    expect(control.headers.get('access-control-allow-origin')).toBe(APP);
    emu.control.faults.clear();
    // Unsigned on the protocol route: the origin passes, then authentication answers.
    const protocol = await request(emu, '/?Action=ListDomains&Version=2009-04-15', { headers: { origin: APP } });
    expect(protocol.status).toBe(403);
    expect(protocol.text).toContain('<Code>AuthMissingFailure</Code>');
    expect(protocol.headers.get('access-control-allow-origin')).toBe(APP);
    const other = await request(emu, '/?Action=ListDomains&Version=2009-04-15', { headers: { origin: 'http://localhost:3001' } });
    expect(other.text).toContain('<Code>AccessFailure</Code>');
  });

  it('takes only plain origins', async () => {
    for (const bad of ['*', 'localhost:3000', 'http://localhost:3000/app', 'ftp://x.test', 'http://u:p@x.test']) {
      await expect(startEmulator({ port: 0, cors: [bad] }), bad).rejects.toThrow(/is not an origin like/);
    }
  });
});
