/**
 * HTTP fuzz: thousands of seeded random requests over bare sockets against the CLI (methods,
 * request targets, parameters, percent-encodings, bodies, content types, framing, Select
 * expressions, NextTokens). Every answer must be SimpleDB XML: a success document for 200, the
 * error document otherwise (a 500 included), never HTML or an empty answer, and never a hang;
 * the server must still serve at the end.
 *
 * A failure prints fast-check's seed and path; replay exactly that request with
 * SIMPLEDB_RELIABILITY_SEED=<seed> SIMPLEDB_FUZZ_PATH=<path> npx vitest run test/reliability/fuzz.test.ts
 */
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS, PROLOG } from '../support/protocol.js';
import { exchange, type RawAnswer } from './rawHttp.js';
import { post, runSeed, SCALE, startCli, stopAll, stopCli, type CliServer } from './support.js';

const SEED = runSeed();
const PATH = process.env.SIMPLEDB_FUZZ_PATH || undefined;
const RUNS = 2000 * SCALE;
/** Generous: a loaded 2-core machine; a healthy answer takes a millisecond or two. */
const ANSWER_TIMEOUT_MS = 10_000;
const DOMAIN = 'fuzz';

type Pair = [string, string];

// ---------------------------------------------------------------- values

const ACTIONS = [
  'CreateDomain', 'DeleteDomain', 'ListDomains', 'DomainMetadata', 'PutAttributes', 'BatchPutAttributes',
  'GetAttributes', 'DeleteAttributes', 'BatchDeleteAttributes', 'Select',
];

const SELECTS = [
  `select * from ${DOMAIN}`,
  `select itemName() from ${DOMAIN} where a = '1' order by a limit 2`,
  `select count(*) from ${DOMAIN}`,
  `select a, b from \`${DOMAIN}\` where a like '%1' or b is null`,
  `select * from ${DOMAIN} where every(a) in ('1', '2') intersection b > 'x'`,
  `select * from ${DOMAIN} where itemName() between 'a' and 'z' order by itemName() desc limit 2500`,
  `select * from ${DOMAIN} where a = 'x' order by b`,
  'select * from missing',
  'select * from',
  "select * from fuzz where a = 'unterminated",
  'select * from fuzz limit 0',
  'SELECT COUNT(*) FROM fuzz WHERE a != "1"',
  'select * from fuzz where (((((((((a = 1)))))))))',
  'select * from fuzz where a in (' + Array.from({ length: 30 }, (_, k) => `'${k}'`).join(',') + ')',
];

const SELECT_PIECES = ['select', '*', 'from', DOMAIN, 'where', 'a', '=', "'1'", 'and', 'or', 'not', 'like', 'order', 'by', 'limit', '(', ')', 'itemName()', 'count(*)', '`', '"', "'", ',', '2', '%', '\\'];

/** Interesting strings first; random text (lone surrogates and control characters included) after. */
const textArb = fc.oneof(
  fc.constantFrom('', ' ', 'a', '1', 'i1', DOMAIN, 'x'.repeat(1025), '😀', '\u0000', '\r\n', '%', '+', '&', '=', '<x>&amp;', 'é', '\uFFFF', '\uD800'),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
);

const domainArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(DOMAIN) },
  { weight: 1, arbitrary: fc.constantFrom('dom2', 'a-b_c.d', 'ab', 'x'.repeat(256), 'bad name', '') },
  { weight: 1, arbitrary: textArb },
);

const indexArb = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 3 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('0', '-1', '257', 'x', '', '1.5', '01') });
const boolishArb = fc.constantFrom('true', 'false', 'TRUE', '1', '', 'yes');
const numberArb = fc.oneof(fc.integer({ min: -5, max: 3000 }).map(String), fc.constantFrom('', 'x', '1e3', '99999999999999999999', ' 5'));

/** NextTokens: real ones taken at start-up, damaged copies of them, and noise. */
const tokens: string[] = [];
const tokenArb = fc.oneof(
  fc.constant(undefined).map(() => tokens[0] ?? ''),
  fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('A', '/', '+', '=', '%', '')).map(([which, at, c]) => {
    const t = tokens[which % Math.max(1, tokens.length)] ?? '';
    const k = t.length === 0 ? 0 : at % t.length;
    return t.slice(0, k) + c + t.slice(k + 1);
  }),
  fc.base64String({ maxLength: 120 }),
  textArb,
);

const selectArb = fc.oneof(
  fc.constantFrom(...SELECTS),
  fc.array(fc.constantFrom(...SELECT_PIECES), { maxLength: 14 }).map((p) => p.join(' ')),
  textArb,
);

/** One parameter, aimed at what the actions read, with a share of arbitrary names. */
const pairArb: fc.Arbitrary<Pair> = fc.oneof(
  fc.tuple(fc.constant('DomainName'), domainArb),
  fc.tuple(fc.constant('ItemName'), textArb),
  fc.tuple(indexArb, fc.constantFrom('Name', 'Value', 'Replace'), textArb).map(([n, f, v]): Pair => [`Attribute.${n}.${f}`, v]),
  fc.tuple(indexArb, indexArb, fc.constantFrom('Name', 'Value', 'Replace'), textArb).map(([i, n, f, v]): Pair => [`Item.${i}.Attribute.${n}.${f}`, v]),
  fc.tuple(indexArb, textArb).map(([i, v]): Pair => [`Item.${i}.ItemName`, v]),
  fc.tuple(indexArb, fc.constantFrom('Name', 'Value', 'Exists'), textArb).map(([n, f, v]): Pair => [`Expected.${n}.${f}`, v]),
  fc.tuple(indexArb, textArb).map(([n, v]): Pair => [`AttributeName.${n}`, v]),
  fc.tuple(fc.constant('SelectExpression'), selectArb),
  fc.tuple(fc.constant('NextToken'), tokenArb),
  fc.tuple(fc.constant('MaxNumberOfDomains'), numberArb),
  fc.tuple(fc.constant('ConsistentRead'), boolishArb),
  fc.tuple(fc.constant('Version'), fc.constantFrom('2009-04-15', '2007-11-07', '2010-01-01', '')),
  fc.tuple(fc.constantFrom('AWSAccessKeyId', 'Signature', 'SignatureVersion', 'SignatureMethod', 'Timestamp', 'Expires', 'SecurityToken'), textArb),
  fc.tuple(fc.constantFrom('Action', 'action', 'DomainName.1', 'X', ''), textArb),
  fc.tuple(textArb, textArb),
);

/** A plausible call for an action (so successes happen), to which random pairs are added. */
function baseParams(action: string, item: string): Pair[] {
  switch (action) {
    case 'ListDomains':
      return [['MaxNumberOfDomains', '2']];
    case 'PutAttributes':
      return [['DomainName', DOMAIN], ['ItemName', item], ['Attribute.1.Name', 'a'], ['Attribute.1.Value', '1']];
    case 'BatchPutAttributes':
      return [['DomainName', DOMAIN], ['Item.1.ItemName', item], ['Item.1.Attribute.1.Name', 'b'], ['Item.1.Attribute.1.Value', 'y']];
    case 'BatchDeleteAttributes':
      return [['DomainName', DOMAIN], ['Item.1.ItemName', item]];
    case 'Select':
      return [['SelectExpression', `select * from ${DOMAIN} limit 1`]];
    default:
      return [['DomainName', DOMAIN], ['ItemName', item]];
  }
}

const paramsArb: fc.Arbitrary<Pair[]> = fc
  .record({
    action: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...ACTIONS) }, { weight: 1, arbitrary: fc.constantFrom('', 'Foo', 'select', 'ListDomains ', 'GetAttributes\u0000') }),
    withAction: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    plausible: fc.boolean(),
    item: fc.constantFrom('i1', 'i2', 'i3'),
    extra: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 3, arbitrary: fc.array(pairArb, { maxLength: 8 }) }),
  })
  .map(({ action, withAction, plausible, item, extra }): Pair[] => [
    ...(withAction ? [['Action', action] as Pair] : []),
    ...(plausible ? baseParams(action, item) : []),
    ...extra,
  ]);

// ---------------------------------------------------------------- encodings

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

type Encoding = 'strict' | 'plus' | 'lower' | 'raw' | 'broken';

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD, as in any client). */
function encode(s: string, how: Encoding, random: number): string {
  const bytes = Buffer.from(s, 'utf8');
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (UNRESERVED.test(c)) out += c;
    else if (how === 'plus' && c === ' ') out += '+';
    else if (how === 'raw' && b > 0x20 && b !== 0x7f && !'&=#%+'.includes(c)) out += c;
    else out += `%${b.toString(16).padStart(2, '0')[how === 'lower' ? 'toLowerCase' : 'toUpperCase']()}`;
  }
  if (how === 'broken') {
    const at = Math.floor(random * (out.length + 1));
    out = `${out.slice(0, at)}${['%', '%zz', '%E0%A4', '%C0%80', '%ED%A0%80'][Math.floor(random * 5)] ?? '%'}${out.slice(at)}`;
  }
  return out;
}

function form(params: Pair[], how: Encoding, random: number): string {
  return params.map(([k, v]) => `${encode(k, how, random)}=${encode(v, how, random)}`).join('&');
}

// ---------------------------------------------------------------- requests

/** Targets once answered with an Express HTML page; kept as they were found. */
const ODD_TARGETS = ['//?@a#', '//?@a?#', '//?a=@i.W?f#'];

const PATHS = ['', '//', '/x', '/%2F', '*', '/../', '/;a', '/%', '/./', 'http://127.0.0.1/', '/?', '/#', '/\u00e9', '/ /'];

interface FuzzRequest {
  method: string;
  version: string;
  path: string;
  /** Where the parameters go. */
  place: 'query' | 'body' | 'both' | 'none';
  params: Pair[];
  encoding: Encoding;
  encodingRandom: number;
  queryTail: string;
  contentType: string | undefined;
  headers: Pair[];
  chunked: boolean;
  /** A whole target taken verbatim (the odd targets), replacing path and query. */
  target: string | undefined;
  /** Random bytes instead of a form body. */
  noise: Uint8Array | undefined;
}

const requestArb: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom('GET', 'POST') },
    { weight: 2, arbitrary: fc.constantFrom('HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'get', 'FOO', 'M-SEARCH', '') },
  ),
  version: fc.oneof({ weight: 12, arbitrary: fc.constant('HTTP/1.1') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/0.9', 'http/1.1', '') }),
  path: fc.oneof({ weight: 24, arbitrary: fc.constant('/') }, { weight: 4, arbitrary: fc.constantFrom(...PATHS) }, { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('/', '?', '@', '#', '%', ':', ';', '=', '&', 'a', '.', 'W', '~'), maxLength: 10 }) }),
  place: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('query' as const, 'body' as const) }, { weight: 1, arbitrary: fc.constantFrom('both' as const, 'none' as const) }),
  params: paramsArb,
  encoding: fc.oneof({ weight: 6, arbitrary: fc.constant('strict' as const) }, { weight: 1, arbitrary: fc.constantFrom('plus' as const, 'lower' as const, 'raw' as const, 'broken' as const) }),
  encodingRandom: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  queryTail: fc.constantFrom('', '', '', '', '&', '#frag', '&&', '?', '&=', '&a', '%'),
  contentType: fc.constantFrom(
    'application/x-www-form-urlencoded; charset=utf-8',
    'application/x-www-form-urlencoded; charset=utf-8',
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=latin1',
    'APPLICATION/X-WWW-FORM-URLENCODED;charset="UTF-8"',
    'text/plain',
    'application/json',
    'multipart/form-data; boundary=zz',
    'application/x-www-form-urlencoded;;;',
    '',
    undefined,
  ),
  headers: fc.subarray(
    [
      ['Content-Encoding', 'gzip'],
      ['Expect', '100-continue'],
      ['Authorization', 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sdb/aws4_request, SignedHeaders=host, Signature=00'],
      ['X-Amz-Target', 'SimpleDB.Select'],
      ['Accept-Encoding', 'gzip, deflate'],
      ['Connection', 'keep-alive'],
      ['Origin', 'http://evil.example'],
      ['Sec-Fetch-Site', 'cross-site'],
      ['Cookie', 'a=b'],
      ['X-Forwarded-For', '10.0.0.1'],
      ['Range', 'bytes=0-10'],
    ] as Pair[],
    { maxLength: 3 },
  ),
  chunked: fc.boolean(),
  target: fc.oneof({ weight: 60, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_TARGETS) }),
  noise: fc.oneof({ weight: 10, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) }),
});

function requestBytes(r: FuzzRequest, port: number): Buffer {
  const encoded = form(r.params, r.encoding, r.encodingRandom);
  const inQuery = r.place === 'query' || r.place === 'both';
  const inBody = r.place === 'body' || r.place === 'both';
  const target = r.target ?? (inQuery ? `${r.path}?${encoded}${r.queryTail}` : r.path);
  const body = r.noise ? Buffer.from(r.noise) : Buffer.from(inBody ? encoded : '', 'latin1');
  const lines = [`${r.method} ${target} ${r.version}`, `Host: 127.0.0.1:${port}`];
  if (r.contentType !== undefined) lines.push(`Content-Type: ${r.contentType}`);
  for (const [k, v] of r.headers) lines.push(`${k}: ${v}`);
  const hasBody = body.length > 0 || r.method === 'POST';
  if (hasBody && r.chunked) lines.push('Transfer-Encoding: chunked');
  else if (hasBody) lines.push(`Content-Length: ${body.length}`);
  lines.push('Connection: close');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  if (!hasBody) return head;
  if (!r.chunked) return Buffer.concat([head, body]);
  const chunk = body.length > 0 ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')]) : Buffer.alloc(0);
  return Buffer.concat([head, chunk, Buffer.from('0\r\n\r\n')]);
}

// ---------------------------------------------------------------- the checks

const ERROR_DOC =
  /^<\?xml version="1\.0"\?>\n<Response><Errors><Error><Code>([A-Za-z.]+)<\/Code><Message>[^<]*<\/Message>(<BoxUsage>\d\.\d{10}<\/BoxUsage>)?<\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/;
const SUCCESS_DOC = new RegExp(`^<\\?xml version="1\\.0"\\?>\\n<(\\w+)Response xmlns="${NS.replaceAll('.', '\\.')}">[\\s\\S]*</\\1Response>$`);

/** The answer's kind for the tally ('200 Select', '400 InvalidParameterValue'), after checking it is SimpleDB XML. */
function checkAnswer(r: FuzzRequest, res: RawAnswer): string {
  expect(res.headers.get('content-type'), 'Content-Type').toBe('text/xml');
  // A HEAD answer has headers only (the reader does not wait for a body).
  if (r.method === 'HEAD') return `${res.status} HEAD`;
  const text = res.body.toString('utf8');
  expect(text.startsWith(PROLOG), `prolog in ${JSON.stringify(text.slice(0, 200))}`).toBe(true);
  expect(XMLValidator.validate(text), 'well-formed XML').toBe(true);
  if (res.status === 200) {
    const m = SUCCESS_DOC.exec(text);
    expect(m, `success document: ${text.slice(0, 300)}`).not.toBeNull();
    return `200 ${m?.[1] ?? ''}`;
  }
  const m = ERROR_DOC.exec(text);
  expect(m, `error document for ${res.status}: ${text.slice(0, 300)}`).not.toBeNull();
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(600);
  return `${res.status} ${m?.[1] ?? ''}`;
}

/** The request as text a person can read in a failure message. */
function show(bytes: Buffer): string {
  return JSON.stringify(bytes.toString('latin1').slice(0, 600));
}

// ---------------------------------------------------------------- the suite

let server: CliServer;

beforeAll(async () => {
  server = await startCli([]);
  const setup = async (params: Pair[]) => {
    const res = await post(server, params);
    if (res.status !== 200) throw new Error(`${JSON.stringify(params)}: ${res.status} ${res.text}`);
  };
  await setup([['Action', 'CreateDomain'], ['DomainName', DOMAIN]]);
  await setup([['Action', 'CreateDomain'], ['DomainName', 'dom2']]);
  for (const item of ['i1', 'i2', 'i3']) {
    await setup([['Action', 'PutAttributes'], ['DomainName', DOMAIN], ['ItemName', item], ['Attribute.1.Name', 'a'], ['Attribute.1.Value', '1']]);
  }
  const select = await post(server, [['Action', 'Select'], ['SelectExpression', `select * from ${DOMAIN} limit 1`]]);
  const list = await post(server, [['Action', 'ListDomains'], ['MaxNumberOfDomains', '1']]);
  for (const res of [select, list]) {
    const token = /<NextToken>([^<]+)<\/NextToken>/.exec(res.text)?.[1];
    if (token === undefined) throw new Error(`no NextToken in ${res.text}`);
    tokens.push(token);
  }
});

afterAll(() => stopAll());

describe(`HTTP fuzz: ${RUNS} seeded requests on raw sockets (seed ${SEED}${PATH ? `, path ${PATH}` : ''})`, () => {
  it('answers every one with SimpleDB XML, promptly, and still serves afterwards', { timeout: 180_000 * SCALE }, async () => {
    const tally = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const bytes = requestBytes(r, server.port);
        let res: RawAnswer;
        try {
          res = await exchange(server.port, bytes, { head: r.method === 'HEAD', timeoutMs: ANSWER_TIMEOUT_MS });
        } catch (err) {
          throw new Error(`${(err as Error).message}\nrequest: ${show(bytes)}`);
        }
        let kind: string;
        try {
          kind = checkAnswer(r, res);
        } catch (err) {
          const body = res.body.toString('utf8').slice(0, 300);
          throw new Error(`${(err as Error).message}\nrequest: ${show(bytes)}\nanswer: ${res.status} ${res.headers.get('content-type')} ${JSON.stringify(body)}`);
        }
        tally.set(kind, (tally.get(kind) ?? 0) + 1);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true, ...(PATH ? { path: PATH } : {}) },
    );
    // Still alive and serving: the process has not exited and answers a plain call.
    expect(server.child.exitCode).toBeNull();
    const health = await fetch(`${server.url}/_simpledb/health`);
    expect(health.status).toBe(200);
    const list = await post(server, [['Action', 'ListDomains']]);
    expect(list.status).toBe(200);
    const successes = [...tally].filter(([k]) => k.startsWith('200 ')).reduce((n, [, c]) => n + c, 0);
    const internal = tally.get('500 InternalError') ?? 0;
    console.info(
      `fuzz (seed ${SEED}): ${[...tally.values()].reduce((a, b) => a + b, 0)} requests, ${successes} successes, ` +
        `${tally.size} kinds of answer, ${internal} InternalError; most common: ` +
        [...tally].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, c]) => `${k} ×${c}`).join(', '),
    );
    // Requests that reach the route but break no rule must not end in an unexpected error.
    expect(internal, server.stderr().slice(0, 2000)).toBe(0);
    await stopCli(server, 'SIGTERM');
  });
});
