import type { Writable } from 'node:stream';

/** Text is gathered to about this many characters per write: one write per line costs more than the JSON. */
const CHUNK = 64 * 1024;

/**
 * Writes pieces of text (lines, or a report a finding at a time) in chunks, waiting when the
 * stream is full, and resolves once the last chunk is handed over. Stops at the stream's first
 * error (a reader that went away: EPIPE) and throws it, instead of leaving it to end the process
 * as an unhandled 'error' event. Returns how many pieces it wrote.
 */
export async function writeLines(lines: Iterable<string> | AsyncIterable<string>, out: Writable): Promise<number> {
  let failure: Error | undefined;
  const onError = (err: Error) => {
    failure ??= err;
  };
  out.on('error', onError);
  let buffer = '';
  let count = 0;
  for await (const line of lines) {
    if (failure || out.destroyed) break;
    buffer += line;
    count++;
    if (buffer.length < CHUNK) continue;
    const ok = out.write(buffer);
    buffer = '';
    if (!ok) await drainedOrEnded(out);
  }
  if (!failure && !out.destroyed) {
    await new Promise<void>((resolve) =>
      out.write(buffer, (err) => {
        if (err) failure ??= err;
        resolve();
      }),
    );
  }
  // A stream that failed keeps the listener: it may report the error again, after this returns.
  if (failure) throw failure;
  out.off('error', onError);
  return count;
}

/** The stream took what it held, or will take nothing more (an error, or closed without one). */
function drainedOrEnded(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('error', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('error', done);
    out.on('close', done);
  });
}
