import type { IncomingMessage } from 'node:http';
import { errors, type SdbError } from '../core/errors.js';

/** Request lines longer than this are refused; boto 2 puts whole PutAttributes calls in the URL. The header block has the same cap. */
export const MAX_HEADER_BYTES = 4 * 1024 * 1024;

/** The last transfer coding of a request must be chunked, or nothing says where its body ends. */
const ENDS_CHUNKED = /(?:^|,)[ \t]*chunked[ \t]*$/i;

/**
 * What is wrong with how the request is framed, before anything reads it: a body whose length
 * cannot be known (answered 400 and closed, as HTTP/1.1 requires: where the next request starts is
 * unknown too, so bytes of the body must not be taken for one), a
 * target over the cap (`URITooLong`, as the service names it), or a header block over the cap.
 * Node parses up to twice the cap (server.ts) so that the two can be told apart here.
 */
export function framingError(req: IncomingMessage): SdbError | undefined {
  const te = req.headers['transfer-encoding'];
  if (te !== undefined && !ENDS_CHUNKED.test(te)) {
    return errors.invalidHttpRequest(`Transfer-Encoding ${JSON.stringify(te)} does not end in chunked, so the body has no known length`);
  }
  if (req.url !== undefined && req.url.length > MAX_HEADER_BYTES) return errors.uriTooLong(MAX_HEADER_BYTES);
  let size = 0;
  for (const field of req.rawHeaders) size += field.length + 2;
  if (size > MAX_HEADER_BYTES) return errors.invalidHttpRequest(`the request headers exceed ${MAX_HEADER_BYTES} bytes`);
  return undefined;
}
