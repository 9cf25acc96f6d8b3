// The operation-id recipes of docs/analyze.md, run as written: a botocore event hook and an
// aws-sdk v2 request hook each send X-SimpleDB-Operation, which makes a write skew definite.
import { execFile } from 'node:child_process';
import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { start } from '../support/sync.js';
import { hasBoto3 } from './support.js';

const BOTO3_PROGRAM = fileURLToPath(new URL('./operation_ids.py', import.meta.url));

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function writeSkews(e: Emulator) {
  return e.control.analyze().findings.map((f) => [f.kind, f.confidence, f.items, f.clients.slice().sort()]);
}

describe('operation ids from other SDKs', () => {
  it.skipIf(!hasBoto3())('boto3: a before-sign event hook', async () => {
    emu = await start({ journalSize: 1000 });
    await promisify(execFile)('/usr/bin/python3', [BOTO3_PROGRAM, emu.url]);
    expect(emu.control.journal({ action: 'PutAttributes' }).slice(-2).map((e) => [e.client, e.operation])).toEqual([
      ['alice', 'leave-shift'],
      ['bob', 'leave-shift'],
    ]);
    expect(writeSkews(emu)).toEqual([['write-skew', 'definite', ['alice', 'bob'], ['alice', 'bob']]]);
  });

  it('aws-sdk v2: a build listener on each request', async () => {
    emu = await start({ journalSize: 1000 });
    process.env['AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE'] = '1';
    const { default: AWS } = await import('aws-sdk');
    // The recipe: an AsyncLocalStorage holds the current operation; each request adds it when built.
    const operation = new AsyncLocalStorage<string>();
    const send = <T>(request: AWS.Request<T, AWS.AWSError>, client: string): Promise<T> => {
      const id = operation.getStore();
      request.on('build', () => {
        request.httpRequest.headers['X-SimpleDB-Client'] = client;
        if (id !== undefined) request.httpRequest.headers['X-SimpleDB-Operation'] = id;
      });
      return request.promise();
    };
    const sdb = new AWS.SimpleDB({ endpoint: emu.url, region: 'us-east-1', accessKeyId: 'AKIDOPS', secretAccessKey: 'ops-secret' });
    await send(sdb.createDomain({ DomainName: 'oncall' }), 'setup');
    for (const ItemName of ['alice', 'bob']) {
      await send(sdb.putAttributes({ DomainName: 'oncall', ItemName, Attributes: [{ Name: 'oncall', Value: 'true', Replace: true }] }), 'setup');
    }
    const read = (who: string, ItemName: string) => send(sdb.getAttributes({ DomainName: 'oncall', ItemName, ConsistentRead: true }), who);
    const leave = (who: string, ItemName: string) =>
      send(sdb.putAttributes({ DomainName: 'oncall', ItemName, Attributes: [{ Name: 'oncall', Value: 'false', Replace: true }] }), who);
    const steps: [string, (who: string, item: string) => Promise<unknown>, string][] = [
      ['alice', read, 'alice'],
      ['alice', read, 'bob'],
      ['bob', read, 'alice'],
      ['bob', read, 'bob'],
      ['alice', leave, 'alice'],
      ['bob', leave, 'bob'],
    ];
    for (const [who, step, item] of steps) await operation.run('leave-shift', () => step(who, item));
    expect(writeSkews(emu)).toEqual([['write-skew', 'definite', ['alice', 'bob'], ['alice', 'bob']]]);
  });
});
