/**
 * One HTTP exchange over a bare TCP socket: the bytes are sent exactly as given (any method,
 * any request target, broken framing), which Node's and undici's clients refuse to do. The
 * answer is read as HTTP/1.1 framing says (Content-Length, chunked, or until close); interim
 * 1xx answers (100 Continue) are skipped.
 */
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Map<string, string>;
  body: Buffer;
}

const HEAD_END = Buffer.from('\r\n\r\n');

interface Head {
  status: number;
  headers: Map<string, string>;
  /** Where the body starts in the buffer. */
  bodyAt: number;
}

function parseHead(buf: Buffer, from: number): Head | undefined {
  const end = buf.indexOf(HEAD_END, from);
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = buf.subarray(from, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
  if (!m) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { status: Number(m[1]), headers, bodyAt: end + HEAD_END.length };
}

/** The decoded body once the last chunk has arrived, else undefined. */
function dechunk(buf: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buf.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size)) throw new Error('malformed chunk size');
    const dataAt = lineEnd + 2;
    if (size === 0) return buf.indexOf('\r\n', dataAt) < 0 ? undefined : Buffer.concat(parts);
    if (buf.length < dataAt + size + 2) return undefined;
    parts.push(buf.subarray(dataAt, dataAt + size));
    at = dataAt + size + 2;
  }
}

/** The final answer if complete; `closed` says the server has ended the connection. */
function complete(buf: Buffer, head: boolean, closed: boolean): RawAnswer | undefined {
  let from = 0;
  for (;;) {
    const h = parseHead(buf, from);
    if (!h) return undefined;
    if (h.status >= 100 && h.status < 200) {
      from = h.bodyAt;
      continue;
    }
    const rest = buf.subarray(h.bodyAt);
    const answer = (body: Buffer): RawAnswer => ({ status: h.status, headers: h.headers, body });
    if (head || h.status === 204 || h.status === 304) return answer(Buffer.alloc(0));
    if (/chunked/i.test(h.headers.get('transfer-encoding') ?? '')) {
      const body = dechunk(rest);
      return body ? answer(body) : undefined;
    }
    const length = h.headers.get('content-length');
    if (length !== undefined) {
      const n = Number(length);
      return rest.length >= n ? answer(rest.subarray(0, n)) : undefined;
    }
    return closed ? answer(rest) : undefined;
  }
}

/**
 * Sends `request` on a fresh connection and resolves with the first complete answer; rejects
 * when the server closes without one or when none has come within `timeoutMs`.
 */
export function exchange(port: number, request: Buffer, options: { head: boolean; timeoutMs: number }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`no complete answer within ${options.timeoutMs} ms; got ${JSON.stringify(buf.toString('latin1').slice(0, 300))}`))),
      options.timeoutMs,
    );
    const attempt = (closed: boolean) => {
      try {
        const answer = complete(buf, options.head, closed);
        if (answer) finish(() => resolve(answer));
        else if (closed) finish(() => reject(new Error(`connection closed without a complete answer; got ${JSON.stringify(buf.toString('latin1').slice(0, 300))}`)));
      } catch (err) {
        finish(() => reject(err as Error));
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      attempt(false);
    });
    socket.on('end', () => attempt(true));
    // The server may answer and close before reading the whole request (a reset while we write).
    socket.on('error', () => attempt(true));
    socket.on('close', () => attempt(true));
    socket.write(request);
  });
}
