// Protocol requests are answered without Express (http/app.ts): Express gives each request and
// response a new prototype, after which V8's young-generation scavenges kept nearly every
// request's objects alive and promoted them, pauses of several milliseconds a few times a second
// under a stream of small requests (docs/performance.md, "One large request beside small ones").
// Node's diagnostics channel hands the test the objects the server made for each request.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { call, emulator, send } from '../support/protocol.js';

const CHANNEL = 'http.server.request.start';

let emu: Emulator | undefined;
let seen: { request: IncomingMessage; response: ServerResponse }[] = [];
const onRequest = (message: unknown): void => {
  seen.push(message as { request: IncomingMessage; response: ServerResponse });
};

afterEach(async () => {
  unsubscribe(CHANNEL, onRequest);
  seen = [];
  await emu?.close();
  emu = undefined;
});

/** The prototypes of the request and response objects of the one request `run` sends. */
async function prototypesOf(run: (e: Emulator) => Promise<{ status: number }>): Promise<[object | null, object | null]> {
  emu ??= await emulator();
  seen = [];
  subscribe(CHANNEL, onRequest);
  const res = await run(emu);
  unsubscribe(CHANNEL, onRequest);
  expect(res.status).toBe(200);
  expect(seen).toHaveLength(1);
  const { request, response } = seen[0] as (typeof seen)[number];
  return [Object.getPrototypeOf(request) as object | null, Object.getPrototypeOf(response) as object | null];
}

describe('the objects of a protocol request', () => {
  it('keep Node’s own prototypes for a form POST and a GET', async () => {
    for (const method of ['POST', 'GET'] as const) {
      const [req, res] = await prototypesOf((e) => call(e, { Action: 'ListDomains' }, { method }));
      expect(req).toBe(IncomingMessage.prototype);
      expect(res).toBe(ServerResponse.prototype);
    }
  });

  it('are Express’s for a control request, which its routes need', async () => {
    const [req, res] = await prototypesOf((e) => send(e, { path: '/_simpledb/journal' }));
    expect(req).not.toBe(IncomingMessage.prototype);
    expect(res).not.toBe(ServerResponse.prototype);
  });
});
