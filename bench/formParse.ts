/**
 * The form reading choice: the emulator's parseForm (emulator/core/params.ts) against
 * spreading a URLSearchParams, on three bodies: the benchmarks' GetAttributes, a PutAttributes
 * signed by the client's own Signature V2 code (most values percent-encoded), and a
 * 25-item × 10-attribute BatchPutAttributes. Both sides' pairs are compared first.
 */
import { isDeepStrictEqual } from 'node:util';
import { signedQueryV2, timestampV2 } from '../client/signer.js';
import { parseForm } from '../emulator/core/params.js';
import { opsPerSecond } from './load.js';
import { batchPutBody, getAttributesBody, HOT_ITEM, itemRange, PUT_PAIRS, DOMAIN } from './workload.js';

export interface FormComparison {
  body: string;
  parseFormOps: number;
  urlSearchParamsOps: number;
  /** parseForm ops / URLSearchParams ops: above 1, parseForm is faster. */
  ratio: number;
}

function signedPut(): string {
  const params: [string, string][] = [
    ['Action', 'PutAttributes'],
    ['AWSAccessKeyId', 'AKIDEXAMPLE'],
    ['DomainName', DOMAIN],
    ['ItemName', HOT_ITEM],
    ['SignatureMethod', 'HmacSHA256'],
    ['SignatureVersion', '2'],
    ['Timestamp', timestampV2(new Date(Date.UTC(2026, 11, 4, 20, 0, 0)))],
    ['Version', '2009-04-15'],
  ];
  PUT_PAIRS.forEach((p, i) => params.push([`Attribute.${i + 1}.Name`, p.name], [`Attribute.${i + 1}.Value`, p.value]));
  return signedQueryV2({ method: 'POST', host: 'sdb.amazonaws.com', path: '/', params, secretAccessKey: 'example-secret' });
}

export function compareFormParsing(ms: number): FormComparison[] {
  const bodies: [string, string][] = [
    ['GetAttributes (4 pairs, nothing encoded)', getAttributesBody()],
    [`PutAttributes signed by the client (${PUT_PAIRS.length} attributes)`, signedPut()],
    ['BatchPutAttributes (25 items × 10 attributes)', batchPutBody(itemRange(0, 25), true)],
  ];
  return bodies.map(([body, raw]) => {
    if (!isDeepStrictEqual(parseForm(raw), [...new URLSearchParams(raw)])) throw new Error(`parseForm differs on ${body}`);
    const parseFormOps = opsPerSecond(() => parseForm(raw), ms);
    const urlSearchParamsOps = opsPerSecond(() => [...new URLSearchParams(raw)], ms);
    return { body, parseFormOps, urlSearchParamsOps, ratio: parseFormOps / urlSearchParamsOps };
  });
}
