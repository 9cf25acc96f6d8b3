import type { IncomingMessage } from 'node:http';
import { errors } from '../core/errors.js';

/**
 * The form body, read without Express's urlencoded parser: its 1,000-parameter and 100 kB
 * defaults would refuse a legal 25 × 256 BatchPutAttributes with an HTML 413. The cap leaves
 * room for 1 MB of names and values after percent-encoding.
 */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
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
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}
