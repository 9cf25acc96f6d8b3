// Snapshots for tests: restore gives back exactly the state at capture, seen through
// the protocol, for :memory: and file stores; consistency mode, faults and the journal stay as they are.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BatchPutAttributesCommand,
  CreateDomainCommand,
  DeleteAttributesCommand,
  DeleteDomainCommand,
  PutAttributesCommand,
} from '../../client/index.js';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { testControl } from '../../emulator/testing/index.js';
import { client, removeTempDirs, stateOf, tempDir } from './support.js';

afterAll(removeTempDirs);

async function fill(emu: Emulator, items: number): Promise<void> {
  const c = client(emu.url);
  await c.send(new CreateDomainCommand({ DomainName: 'users' }));
  await c.send(new CreateDomainCommand({ DomainName: 'empty' }));
  for (let i = 0; i < items; i += 25) {
    const Items = Array.from({ length: 25 }, (_, k) => ({
      Name: `u${i + k}`,
      Attributes: [
        { Name: 'n', Value: String(i + k) },
        { Name: 'tag', Value: 'a' },
        { Name: 'tag', Value: 'b😀' },
      ],
    }));
    await c.send(new BatchPutAttributesCommand({ DomainName: 'users', Items }));
  }
  await c.destroy();
}

/** Changes of every kind: new domain, deleted domain, new, changed and deleted items. */
async function scramble(emu: Emulator): Promise<void> {
  const c = client(emu.url);
  await c.send(new CreateDomainCommand({ DomainName: 'later' }));
  await c.send(new PutAttributesCommand({ DomainName: 'later', ItemName: 'x', Attributes: [{ Name: 'a', Value: '1' }] }));
  await c.send(new DeleteDomainCommand({ DomainName: 'empty' }));
  await c.send(new PutAttributesCommand({ DomainName: 'users', ItemName: 'u1', Attributes: [{ Name: 'n', Value: 'changed', Replace: true }] }));
  await c.send(new PutAttributesCommand({ DomainName: 'users', ItemName: 'new', Attributes: [{ Name: 'n', Value: 'new' }] }));
  await c.send(new DeleteAttributesCommand({ DomainName: 'users', ItemName: 'u2' }));
  await c.destroy();
}

describe.each([
  ['in memory', () => ':memory:'],
  ['in a file', () => join(tempDir(), 'snap.db')],
])('snapshots %s', (_label, dbPath) => {
  it('restore brings back the state at snapshot, again and again, while faults, consistency and journal stay', async () => {
    const emu = await startEmulator({ port: 0, db: dbPath(), consistency: 'eventual', seed: 7 });
    try {
      await fill(emu, 100);
      const before = await stateOf(emu.url);
      const info = emu.control.snapshot('fixture');
      expect(info).toMatchObject({ name: 'fixture', domains: 2, items: 100, pairs: 300 });
      emu.control.faults.add({ action: 'GetAttributes', error: 'ServiceUnavailable' });
      for (let round = 0; round < 2; round++) {
        await scramble(emu);
        expect(await stateOf(emu.url)).not.toEqual(before);
        const journalBefore = emu.control.journal().length;
        expect(emu.control.restore('fixture')).toMatchObject({ name: 'fixture', items: 100 });
        expect(await stateOf(emu.url)).toEqual(before);
        expect(emu.control.journal().length).toBeGreaterThan(journalBefore);
      }
      expect(emu.control.consistency()).toMatchObject({ mode: 'eventual', seed: 7 });
      expect(emu.control.faults.list()).toHaveLength(1);
      // Item and domain ids come back too, so writes after a restore behave as on a fresh store.
      await scramble(emu);
      expect((await stateOf(emu.url)).later).toEqual({ x: { a: ['1'] } });
    } finally {
      await emu.close();
    }
  });
});

describe('snapshot API', () => {
  it('names, lists, recaptures a taken name and drops; refuses unknown and bad names', async () => {
    const emu = await startEmulator({ port: 0 });
    try {
      expect(emu.control.snapshot()).toMatchObject({ name: 'snapshot-1', domains: 0 });
      await fill(emu, 25);
      expect(emu.control.snapshot('snapshot-1')).toMatchObject({ name: 'snapshot-1', items: 25 });
      expect(emu.control.snapshot()).toMatchObject({ name: 'snapshot-2', items: 25 });
      expect(emu.control.snapshots().map((s) => s.name)).toEqual(['snapshot-1', 'snapshot-2']);
      expect(emu.control.dropSnapshot('snapshot-2')).toBe(true);
      expect(emu.control.dropSnapshot('snapshot-2')).toBe(false);
      expect(() => emu.control.restore('nope')).toThrow('no snapshot named nope');
      expect(() => emu.control.snapshot('has space')).toThrow(/snapshot name/);
      emu.reset();
      emu.control.restore('snapshot-1');
      expect(Object.keys((await stateOf(emu.url)).users ?? {})).toHaveLength(25);
    } finally {
      await emu.close();
    }
  });

  it('JSON routes: POST/GET /_simpledb/snapshots, POST …/:name/restore, DELETE …/:name, JSON errors', async () => {
    const emu = await startEmulator({ port: 0 });
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${emu.url}/_simpledb${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
    try {
      await fill(emu, 25);
      expect(await api('POST', '/snapshots', { name: 'base' })).toMatchObject({ status: 201, json: { name: 'base', items: 25 } });
      expect(await api('POST', '/snapshots')).toMatchObject({ status: 201, json: { name: 'snapshot-1' } });
      expect((await api('GET', '/snapshots')).json.snapshots).toHaveLength(2);
      await scramble(emu);
      expect(await api('POST', '/snapshots/base/restore')).toMatchObject({ status: 200, json: { name: 'base' } });
      expect(Object.keys(await stateOf(emu.url))).toEqual(['empty', 'users']);
      expect(await api('DELETE', '/snapshots/base')).toMatchObject({ status: 200, json: { snapshots: [{ name: 'snapshot-1' }] } });
      expect(await api('DELETE', '/snapshots/base')).toEqual({ status: 404, json: { error: { code: 'NoSuchSnapshot', message: 'no snapshot named base' } } });
      expect(await api('POST', '/snapshots/base/restore')).toMatchObject({ status: 404 });
      expect(await api('POST', '/snapshots', { name: 'a/b' })).toMatchObject({ status: 400, json: { error: { code: 'InvalidSnapshotName' } } });
      expect(await api('POST', '/snapshots', { label: 'x' })).toMatchObject({ status: 400, json: { error: { message: 'unknown field label (known: name)' } } });
      const broken = await fetch(`${emu.url}/_simpledb/snapshots`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
      expect(broken.status).toBe(400);
      expect(await broken.json()).toMatchObject({ error: { code: 'InvalidRequest' } });
    } finally {
      await emu.close();
    }
  });

  it('with isolated accounts the routes refuse (a snapshot holds every account); with a shared namespace they work behind the guard', async () => {
    const keys = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
    const basic = { authorization: `Basic ${Buffer.from('AKIDEXAMPLE:secret').toString('base64')}`, 'content-type': 'application/json' };
    for (const isolateAccounts of [true, false]) {
      const emu = await startEmulator({ port: 0, ...keys, isolateAccounts });
      try {
        const res = await fetch(`${emu.url}/_simpledb/snapshots`, { method: 'POST', headers: basic, body: '{}' });
        if (isolateAccounts) {
          expect(res.status).toBe(403);
          expect(await res.json()).toEqual({ error: { code: 'AccessDenied', message: 'snapshots hold every account: not available with isolated accounts' } });
        } else {
          expect(res.status).toBe(201);
          await res.arrayBuffer();
        }
        const anonymous = await fetch(`${emu.url}/_simpledb/snapshots`);
        expect(anonymous.status).toBe(401);
        await anonymous.arrayBuffer();
        // The snapshot file of the whole store is refused the same way.
        const file = await fetch(`${emu.url}/_simpledb/snapshots/file`, { headers: basic });
        expect(file.status).toBe(isolateAccounts ? 403 : 200);
        await file.arrayBuffer();
        const anonymousFile = await fetch(`${emu.url}/_simpledb/snapshots/file`);
        expect(anonymousFile.status).toBe(401);
        await anonymousFile.arrayBuffer();
      } finally {
        await emu.close();
      }
    }
  });

  it('the kit’s testControl() snapshots and restores through these routes', async () => {
    const emu = await startEmulator({ port: 0 });
    try {
      await fill(emu, 25);
      const before = await stateOf(emu.url);
      const control = testControl({ endpoint: emu.url });
      await control.snapshot('kit');
      await scramble(emu);
      await control.restore('kit');
      expect(await stateOf(emu.url)).toEqual(before);
      await control.dropSnapshot('kit');
      await expect(control.restore('kit')).rejects.toThrow('404 no snapshot named kit');
    } finally {
      await emu.close();
    }
  });
});
