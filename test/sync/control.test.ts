// The control surface: JSON routes under /_simpledb/, their 400s, the journal's
// filters, export and file, fault firing rules, the start-up options and the moto reset route.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import type { JournalEntry } from '../../emulator/sync/index.js';
import { call, control, createDomain, get, ok, put, start } from '../support/sync.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});
const dir = mkdtempSync(join(tmpdir(), 'sdb-sync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('consistency routes', () => {
  it('reads, sets (PUT and POST), freezes and thaws', async () => {
    emu = await start({ seed: 99 });
    expect((await control(emu, 'GET', 'consistency')).json).toMatchObject({
      mode: 'consistent',
      maxStalenessMs: 1000,
      seed: 99,
      frozenAtSeq: null,
    });
    const put1 = await control(emu, 'PUT', 'consistency', { mode: 'eventual', maxStalenessMs: 250 });
    expect(put1).toMatchObject({ status: 200, json: { mode: 'eventual', maxStalenessMs: 250 } });
    await createDomain(emu, 'd6x');
    await put(emu, 'd6x', 'a', { v: '1' });
    expect((await control(emu, 'POST', 'consistency/freeze')).json).toMatchObject({
      mode: 'frozen',
      frozenAtSeq: 1,
      thawTo: 'eventual',
    });
    expect((await control(emu, 'POST', 'consistency/thaw')).json).toMatchObject({ mode: 'eventual' });
    // curl -d sends a form content type, which a page on another origin can send too: refused.
    const form = await fetch(`${emu.url}/_simpledb/consistency`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '{"mode":"consistent"}',
    });
    expect(form.status).toBe(415);
    expect(((await form.json()) as { error: { code: string } }).error.code).toBe('UnsupportedMediaType');
    const json = await control(emu, 'POST', 'consistency', { mode: 'consistent' });
    expect(json.json).toMatchObject({ mode: 'consistent', latestSeq: 1 });
  });

  it.each([
    ['an unknown mode', { mode: 'sometimes' }, /mode: one of consistent, eventual, frozen/],
    ['an unknown field', { mode: 'eventual', maxStaleness: 5 }, /unknown field maxStaleness/],
    ['a negative staleness', { maxStalenessMs: -1 }, /maxStalenessMs/],
    ['a fractional seed', { seed: 1.5 }, /seed/],
    ['a list', [], /JSON object/],
    ['malformed JSON', '{"mode": ', /./],
  ])('answers %s with a 400 JSON error', async (_what, body, message) => {
    emu = await start();
    const r = await control(emu, 'PUT', 'consistency', body);
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/application\/json/);
    expect(r.json).toMatchObject({ error: { code: 'InvalidRequest', message: expect.stringMatching(message) } });
    expect((await control(emu, 'GET', 'consistency')).json).toMatchObject({ mode: 'consistent' });
  });

  it('the same checks from code throw', async () => {
    emu = await start();
    expect(() => emu?.control.consistency({ mode: 'x' as 'eventual' })).toThrow(/mode/);
    await expect(start({ maxStalenessMs: -5 })).rejects.toThrow(/maxStalenessMs/);
  });
});

describe('fault routes', () => {
  it('adds (one or a list), lists, removes one and clears', async () => {
    emu = await start();
    const added = await control(emu, 'POST', 'faults', { action: 'Select', error: 'RequestTimeout' });
    expect(added).toMatchObject({ status: 201, json: { faults: [{ id: 'f1', action: 'Select', fired: 0 }] } });
    await control(emu, 'POST', 'faults', [{ delayMs: 5 }, { item: 'a*', loseResponse: 'reset', count: 1 }]);
    expect(((await control(emu, 'GET', 'faults')).json as { faults: { id: string }[] }).faults.map((f) => f.id)).toEqual([
      'f1',
      'f2',
      'f3',
    ]);
    expect((await control(emu, 'DELETE', 'faults/f2')).status).toBe(200);
    expect((await control(emu, 'DELETE', 'faults/f2')).status).toBe(404);
    expect(emu.control.faults.list().map((f) => f.id)).toEqual(['f1', 'f3']);
    expect((await control(emu, 'DELETE', 'faults')).json).toEqual({ faults: [] });
  });

  it.each([
    ['no effect', { action: 'PutAttributes' }, /exactly one of/],
    ['two effects', { error: 'InternalError', delayMs: 3 }, /exactly one of/],
    ['an unknown code', { error: 'Boom' }, /not a code of the error table/],
    ['an unknown action', { action: 'PutItem', error: 'InternalError' }, /not a SimpleDB action/],
    ['a probability above 1', { error: 'InternalError', probability: 2 }, /probability/],
    ['phase without delay', { error: 'InternalError', phase: 'after' }, /phase/],
    ['a bad lost response', { loseResponse: 'drop' }, /reset or 503/],
    ['a typo', { acton: 'Select', error: 'InternalError' }, /unknown field acton/],
  ])('answers %s with a 400 JSON error, adding nothing', async (_what, body, message) => {
    emu = await start();
    const r = await control(emu, 'POST', 'faults', [{ error: 'InternalError' }, body]);
    expect(r.status).toBe(400);
    expect((r.json as { error: { message: string } }).error.message).toMatch(message);
    expect(emu.control.faults.list()).toEqual([]);
  });

  it('skip, count and a seeded probability decide which requests fire', async () => {
    async function pattern(): Promise<number[]> {
      const e = await start();
      try {
        await createDomain(e, 'd7x');
        e.control.faults.add({ action: 'GetAttributes', error: 'InternalError', skip: 2, count: 3 });
        e.control.faults.add({ action: 'DomainMetadata', error: 'ServiceUnavailable', probability: 0.5, seed: 9 });
        const out: number[] = [];
        for (let i = 0; i < 8; i++) out.push((await call(e, 'GetAttributes', { DomainName: 'd7x', ItemName: 'x' })).status);
        for (let i = 0; i < 12; i++) out.push((await call(e, 'DomainMetadata', { DomainName: 'd7x' })).status);
        return out;
      } finally {
        await e.close();
      }
    }
    const first = await pattern();
    expect(first.slice(0, 8)).toEqual([200, 200, 500, 500, 500, 200, 200, 200]);
    expect(first.slice(8)).toContain(503);
    expect(first.slice(8)).toContain(200);
    expect(await pattern()).toEqual(first);
  });

  it('a delay after the write: the write is visible before its response arrives', async () => {
    emu = await start();
    await createDomain(emu, 'd8x');
    emu.control.faults.add({ action: 'PutAttributes', delayMs: 300, phase: 'after' });
    const slow = put(emu, 'd8x', 'a', { v: '1' });
    // Poll with consistent reads (each a real request) until the held-back write shows.
    let seen: Record<string, string[]> = {};
    while (!seen.v) seen = await get(emu, 'd8x', 'a', true);
    const entriesBefore = emu.control.journal({ action: 'PutAttributes' }).length;
    expect((await slow).status).toBe(200);
    expect(entriesBefore).toBe(0); // the put had not answered yet
    const entry = emu.control.journal({ action: 'PutAttributes' })[0];
    expect(entry?.latencyMs).toBeGreaterThanOrEqual(290);
    expect(entry?.faults).toEqual([{ rule: 'f1', effect: 'delay:after:300' }]);
  });

  it('every injected code of the Developer Guide error table answers with its status', async () => {
    emu = await start();
    await createDomain(emu, 'd9x');
    const expected: Record<string, number> = {
      AccessFailure: 403,
      AttributeDoesNotExist: 404,
      ConditionalCheckFailed: 409,
      InternalError: 500,
      NotYetImplemented: 401,
      QueryTimeout: 408,
      ServiceUnavailable: 503,
      SignatureDoesNotMatch: 403,
      MalformedSOAPSignature: 403,
      NoSuchDomain: 400,
    };
    for (const [code, status] of Object.entries(expected)) {
      emu.control.faults.clear();
      emu.control.faults.add({ action: 'ListDomains', error: code });
      const r = await call(emu, 'ListDomains', {});
      expect([r.code, r.status]).toEqual([code, status]);
    }
  });
});

describe('journal', () => {
  async function seeded(): Promise<Emulator> {
    const e = await start({ consistency: 'eventual', seed: 1 });
    await createDomain(e, 'alpha');
    await createDomain(e, 'beta');
    await put(e, 'alpha', 'a1', { v: '1' });
    await put(e, 'beta', 'b1', { v: '1' });
    await ok(e, 'BatchPutAttributes', {
      DomainName: 'alpha',
      'Item.1.ItemName': 'a2',
      'Item.1.Attribute.1.Name': 'v',
      'Item.1.Attribute.1.Value': '2',
      'Item.2.ItemName': 'a3',
      'Item.2.Attribute.1.Name': 'v',
      'Item.2.Attribute.1.Value': '3',
    });
    await get(e, 'alpha', 'a1', false);
    await call(e, 'GetAttributes', { DomainName: 'nope', ItemName: 'x' });
    return e;
  }
  const entries = (r: { json: unknown }) => (r.json as { entries: JournalEntry[] }).entries;

  it('filters by action, domain, item (batch items too), code, since and limit', async () => {
    emu = await seeded();
    expect(entries(await control(emu, 'GET', 'journal?action=PutAttributes')).map((e) => e.domain)).toEqual([
      'alpha',
      'beta',
    ]);
    expect(entries(await control(emu, 'GET', 'journal?domain=alpha')).map((e) => e.action)).toEqual([
      'CreateDomain',
      'PutAttributes',
      'BatchPutAttributes',
      'GetAttributes',
    ]);
    expect(entries(await control(emu, 'GET', 'journal?item=a3')).map((e) => e.items)).toEqual([['a2', 'a3']]);
    expect(entries(await control(emu, 'GET', 'journal?code=NoSuchDomain')).map((e) => e.status)).toEqual([400]);
    expect(entries(await control(emu, 'GET', 'journal?since=2&limit=2')).map((e) => e.seq)).toEqual([3, 4]);
    expect(entries(await control(emu, 'GET', 'journal?limit=2')).map((e) => e.seq)).toEqual([6, 7]);
    const read = entries(await control(emu, 'GET', 'journal?action=GetAttributes&domain=alpha'))[0];
    expect(read?.read).toMatchObject({ consistentRead: false, latestSeq: 3 });
    expect(read?.params).toMatchObject({ Action: 'GetAttributes', ItemName: 'a1', ConsistentRead: 'false' });
  });

  it('exports NDJSON at journal.ndjson and with format=ndjson', async () => {
    emu = await seeded();
    for (const path of ['journal.ndjson?action=PutAttributes', 'journal?format=ndjson&action=PutAttributes']) {
      const r = await control(emu, 'GET', path);
      expect(r.type).toMatch(/application\/x-ndjson/);
      const lines = r.text.trimEnd().split('\n').map((l) => JSON.parse(l) as JournalEntry);
      expect(lines.map((l) => l.items)).toEqual([['a1'], ['b1']]);
    }
  });

  it.each(['journal?limit=0', 'journal?since=abc', 'journal?format=xml', 'journal?acton=Select'])(
    'answers %s with a 400 JSON error',
    async (path) => {
      emu = await start();
      const r = await control(emu, 'GET', path);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ error: { message: expect.any(String) } });
    },
  );

  it('is a bounded ring; clearing keeps the sequence numbers counting', async () => {
    emu = await start({ journalSize: 3 });
    for (let i = 0; i < 5; i++) await call(emu, 'ListDomains', {});
    expect(emu.control.journal().map((e) => e.seq)).toEqual([3, 4, 5]);
    await control(emu, 'DELETE', 'journal');
    await call(emu, 'ListDomains', {});
    expect(emu.control.journal().map((e) => e.seq)).toEqual([6]);
  });

  it('never records Signature, AWSAccessKeyId or SecurityToken', async () => {
    emu = await start();
    await call(emu, 'ListDomains', {
      AWSAccessKeyId: 'AKIDSECRETLOOKING',
      Signature: 'c2lnbmF0dXJl',
      SignatureMethod: 'HmacSHA256',
      SignatureVersion: '2',
      SecurityToken: 'tok3n',
      Timestamp: '2024-01-01T00:00:00Z',
    });
    const [entry] = emu.control.journal();
    expect(Object.keys(entry?.params ?? {}).sort()).toEqual([
      'Action',
      'SignatureMethod',
      'SignatureVersion',
      'Timestamp',
      'Version',
    ]);
    expect(JSON.stringify(emu.control.journal())).not.toMatch(/AKIDSECRETLOOKING|c2lnbmF0dXJl|tok3n/);
  });

  it('--journal FILE: one JSON line per request, written by the time the response arrives', async () => {
    const file = join(dir, 'journal.ndjson');
    emu = await start({ journal: file });
    await createDomain(emu, 'd10');
    await put(emu, 'd10', 'a', { v: '1' });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as JournalEntry);
    expect(lines.map((l) => [l.seq, l.action, l.code])).toEqual([
      [1, 'CreateDomain', 'Success'],
      [2, 'PutAttributes', 'Success'],
    ]);
    expect(lines).toEqual(emu.control.journal());
  });
});

describe('start-up and the core routes', () => {
  it('--control-file sets the consistency and the fault rules; a bad one stops the start', async () => {
    const file = join(dir, 'control.json');
    writeFileSync(
      file,
      JSON.stringify({
        consistency: { mode: 'eventual', maxStalenessMs: 50, seed: 4 },
        faults: [{ action: 'CreateDomain', error: 'ServiceUnavailable', count: 1 }],
      }),
    );
    emu = await start({ controlFile: file });
    expect(emu.control.consistency()).toMatchObject({ mode: 'eventual', maxStalenessMs: 50, seed: 4 });
    expect((await call(emu, 'CreateDomain', { DomainName: 'd11' })).status).toBe(503);
    expect((await call(emu, 'CreateDomain', { DomainName: 'd11' })).status).toBe(200);

    writeFileSync(file, JSON.stringify({ faults: [{ error: 'Nope' }] }));
    await expect(start({ controlFile: file })).rejects.toThrow(/control file .*not a code of the error table/);
    await expect(start({ controlFile: join(dir, 'missing.json') })).rejects.toThrow(/cannot read the control file/);
  });

  it('POST /moto-api/reset drops every domain, like /_simpledb/reset', async () => {
    emu = await start();
    await createDomain(emu, 'd12');
    const r = await fetch(`${emu.url}/moto-api/reset`, { method: 'POST' });
    expect(await r.json()).toEqual({ status: 'reset' });
    expect((await call(emu, 'DomainMetadata', { DomainName: 'd12' })).code).toBe('NoSuchDomain');
  });

  it('an unknown /_simpledb/ or /moto-api/ path is a JSON 404', async () => {
    emu = await start();
    for (const path of ['/_simpledb/nothing', '/moto-api/nothing']) {
      const r = await fetch(`${emu.url}${path}`);
      expect(r.status).toBe(404);
      expect(await r.json()).toEqual({ error: { code: 'NotFound', message: `no control route GET ${path}` } });
    }
  });

  const CLI = fileURLToPath(new URL('../../dist/emulator/cli.js', import.meta.url));
  it.skipIf(!existsSync(CLI))('the CLI takes --consistency, --max-staleness, --seed and --journal', async () => {
    const journal = join(dir, 'cli.ndjson');
    const child = spawn(
      process.execPath,
      [CLI, '--port', '0', '--consistency', 'eventual', '--max-staleness', '250', '--seed', '12', '--journal', journal],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SIMPLEDB_LOCAL_LOG_LEVEL: 'silent' } },
    );
    try {
      const lines = createInterface({ input: child.stdout });
      const [line] = (await once(lines, 'line')) as [string];
      const url = /listening on (\S+)/.exec(line)?.[1] ?? '';
      const state = (await (await fetch(`${url}/_simpledb/consistency`)).json()) as Record<string, unknown>;
      expect(state).toMatchObject({ mode: 'eventual', maxStalenessMs: 250, seed: 12 });
      await fetch(`${url}/?Action=ListDomains&Version=2009-04-15`);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    // Read once the process has exited: the line is written as the response is sent, which
    // another process may see arrive first.
    expect(JSON.parse(readFileSync(journal, 'utf8').trim())).toMatchObject({ action: 'ListDomains' });
  });

  it.skipIf(!existsSync(CLI))('the CLI refuses a bad --consistency', async () => {
    const child = spawn(process.execPath, [CLI, '--consistency', 'sometimes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/'--consistency <mode>' argument 'sometimes' is invalid: one of consistent, eventual, frozen/);
  });
});
