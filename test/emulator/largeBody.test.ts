// A large body is read a chunk or two per turn of the event loop (emulator/http/body.ts): libuv
// would read up to 32 chunks of 64 KiB in one turn, holding every other request meanwhile
// (docs/performance.md, "One large request beside small ones"). Turns are counted with
// setImmediate beside the reader; the body is written at once, so that most of it waits in the
// socket before the server reads it.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LARGE_BODY_BYTES, readBodyChunks } from '../../emulator/http/body.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

interface Seen {
  bytes: number;
  chunks: number;
  /** The most chunks that arrived within one turn of the event loop once the body was large. */
  mostInOneTurn: number;
}

function listen(): Promise<string> {
  server = createServer((req, res) => {
    let turn = 0;
    let reading = true;
    const tick = () => {
      turn++;
      if (reading) setImmediate(tick);
    };
    setImmediate(tick);
    const perTurn = new Map<number, number>();
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      // Up to LARGE_BODY_BYTES the reader does not know the body is large: no turns taken.
      if (size >= LARGE_BODY_BYTES) perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
      size += chunk.length;
    });
    void readBodyChunks(req).then((chunks) => {
      reading = false;
      const seen: Seen = {
        bytes: chunks.reduce((n, c) => n + c.length, 0),
        chunks: chunks.length,
        mostInOneTurn: Math.max(...perTurn.values()),
      };
      res.end(JSON.stringify(seen));
    });
  });
  return new Promise((resolve) => {
    const s = server as Server;
    s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`));
  });
}

function send(url: string, body: Buffer): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-length': body.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(JSON.parse(text) as Seen));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('reading a large body', () => {
  it('takes a turn of the event loop every chunk or two, and the body whole', async () => {
    const url = await listen();
    const body = Buffer.alloc(4 * 1024 * 1024, 'a');
    const seen = await send(url, body);
    expect(seen.bytes).toBe(body.length);
    expect(seen.chunks).toBeGreaterThan(8);
    expect(seen.mostInOneTurn).toBeLessThanOrEqual(2);
  });
});
