import type { IncomingMessage } from 'node:http';
import { errors } from '../core/errors.js';
import { nextTurn } from '../core/slices.js';

/**
 * The form body, read without Express's urlencoded parser: its 1,000-parameter and 100 kB
 * defaults would refuse a legal 25 × 256 BatchPutAttributes with an HTML 413. The cap leaves
 * room for 1 MB of names and values after percent-encoding.
 */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * From this size a body is decoded and parsed in slices (core/params.ts `parseFormInSlices`):
 * 6.8 MB took about 40 ms to decode in one piece and as long again to parse.
 */
export const LARGE_BODY_BYTES = 256 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return readBodyChunks(req, limit).then(bodyText);
}

/**
 * The body as it arrived, in the chunks the socket gave. Past `LARGE_BODY_BYTES` it takes a turn
 * of the event loop after each chunk: libuv reads up to 32 chunks of 64 KiB from a socket in one
 * turn, and a 6.8 MB body that had arrived whole held the loop for 5–10 ms three times over
 * (docs/performance.md, "One large request beside small ones"). Paused, the request stops the
 * socket's reads once it holds a chunk more, so a turn takes at most two. `pause` is what it waits
 * between chunks: a turn, or longer while other requests are served (gate.ts `turn`).
 */
export function readBodyChunks(req: IncomingMessage, limit = MAX_BODY_BYTES, pause: () => Promise<void> = nextTurn): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(errors.invalidHttpRequest(`The request body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
      if (size >= LARGE_BODY_BYTES) {
        req.pause();
        void pause().then(() => req.resume());
      }
    });
    req.on('end', () => {
      if (!failed) resolve(chunks);
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

export function bodyBytes(chunks: readonly Buffer[]): number {
  let n = 0;
  for (const c of chunks) n += c.length;
  return n;
}

export function bodyText(chunks: readonly Buffer[]): string {
  // One chunk, the usual small request: decoded without a copy first.
  return chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
}
