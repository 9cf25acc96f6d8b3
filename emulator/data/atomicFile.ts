import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';

/**
 * Writes a file through a temporary file beside it, renamed over it once `fill` has written
 * everything and the stream has closed: a failure at any point leaves an existing file as it was
 * and no temporary file behind. `label` starts the message when the directory cannot be written.
 */
export async function writeAtomically(path: string, label: string, fill: (out: Writable) => Promise<void> | void): Promise<void> {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  const out = createWriteStream(temp, { flags: 'wx' });
  try {
    await once(out, 'open').catch((err: NodeJS.ErrnoException) => {
      throw new Error(`${label}: cannot write in ${dirname(target)} (${err.code ?? err.message})`);
    });
    await fill(out);
    out.end();
    await once(out, 'close');
    renameSync(temp, target);
  } catch (err) {
    out.destroy();
    rmSync(temp, { force: true });
    throw err;
  }
}
