import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { KEY, SECRET, formPost, loadCaptures, param, replay, send, type Capture } from './support.js';

/** Codes that mean authentication refused the request; anything else got past it. */
const AUTH_CODES = new Set([
  'AuthMissingFailure',
  'InvalidClientTokenId',
  'IncompleteSignature',
  'SignatureDoesNotMatch',
  'RequestExpired',
  'AuthFailure',
  'InvalidParameterCombination',
  'MissingParameter',
]);

const captures = loadCaptures();

/** The captured Host when it was signed with its port; otherwise host:port as boto 2 sends it. */
function hostFor(capture: Capture, port: number): string {
  const header = capture.headers.find(([n]) => n.toLowerCase() === 'host')?.[1] ?? '';
  return capture.signed_host.includes(':') ? header : `${header.replace(/:\d+$/, '')}:${port}`;
}

describe.each([...captures.keys()])('%s replayed to an emulator holding the dummy key', (file) => {
  let clock = 0;
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, credentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }], now: () => clock });
  });
  afterAll(() => emu.close());

  it('accepts every request with the clock at its Timestamp', async () => {
    const list = captures.get(file) ?? [];
    expect(list.length).toBeGreaterThan(0);
    for (const capture of list) {
      clock = Date.parse(param(capture, 'Timestamp'));
      const reply = await send(emu.url, replay(capture, hostFor(capture, emu.port)));
      expect(AUTH_CODES.has(reply.code ?? ''), `${capture.step}: ${reply.body}`).toBe(false);
    }
  });
});

describe('a captured request altered', () => {
  // A GET whose host was signed without the port and a POST whose host was signed with it.
  const boto2 = (captures.get('boto2.jsonl') ?? []).find((c) => c.step === 'CreateDomain');
  const sdk = (captures.get('aws-sdk-js-v2.jsonl') ?? []).find((c) => c.step === 'CreateDomain');
  const cases = [boto2, sdk].filter((c): c is Capture => c !== undefined);
  it('finds the two captures', () => expect(cases).toHaveLength(2));

  describe.each(cases.map((c) => [c.client, c] as const))('%s CreateDomain', (_client, capture) => {
    const at = Date.parse(param(capture, 'Timestamp'));
    let clock = at;
    let emu: Emulator;
    beforeAll(async () => {
      emu = await startEmulator({ port: 0, credentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }], now: () => clock });
    });
    afterAll(() => emu.close());

    const host = () => hostFor(capture, emu.port);
    /** The capture's parameters with edits, signature kept, re-sent as a form POST. */
    const edited = (edit: (params: [string, string][]) => [string, string][]) => {
      const post = formPost(host(), edit(capture.params.map(([n, v]) => [n, v])));
      return capture.method === 'GET' ? { ...post, method: 'GET', path: `/?${post.body}`, body: '' } : post;
    };
    const set = (name: string, value: string) => (ps: [string, string][]) =>
      ps.map(([n, v]): [string, string] => [n, n === name ? value : v]);

    it('is accepted unaltered, and re-encoded', async () => {
      clock = at;
      expect((await send(emu.url, replay(capture, host()))).status).toBe(200);
      expect((await send(emu.url, edited((ps) => ps))).status).toBe(200);
    });

    it('with one parameter changed: SignatureDoesNotMatch 403 without BoxUsage', async () => {
      clock = at;
      const reply = await send(emu.url, edited(set('DomainName', 'other_dom')));
      expect(reply).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch', hasBoxUsage: false });
    });

    it('with a parameter added: SignatureDoesNotMatch', async () => {
      clock = at;
      const reply = await send(emu.url, edited((ps) => [...ps, ['Extra', 'x']]));
      expect(reply).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    });

    it('sent to another host: SignatureDoesNotMatch', async () => {
      clock = at;
      const reply = await send(emu.url, { ...replay(capture, host()), headers: replay(capture, `localhost:${emu.port}`).headers });
      expect(reply).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    });

    it('with a wrong secret configured: SignatureDoesNotMatch 403', async () => {
      await using other = await startEmulator({
        port: 0,
        credentials: [{ accessKeyId: KEY, secretAccessKey: `${SECRET}x` }],
        now: () => at,
      });
      const reply = await send(other.url, replay(capture, hostFor(capture, other.port)));
      expect(reply).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch', hasBoxUsage: false });
    });

    it('with an unknown key: InvalidClientTokenId 403 without BoxUsage', async () => {
      await using other = await startEmulator({
        port: 0,
        credentials: [{ accessKeyId: 'AKIDOTHER', secretAccessKey: SECRET }],
        now: () => at,
      });
      const reply = await send(other.url, replay(capture, hostFor(capture, other.port)));
      expect(reply).toMatchObject({ status: 403, code: 'InvalidClientTokenId', hasBoxUsage: false });
      expect(reply.body).toContain('The AWS Access Key Id you provided does not exist in our records.');
    });

    it('without AWSAccessKeyId: AuthMissingFailure 403', async () => {
      clock = at;
      const reply = await send(emu.url, edited((ps) => ps.filter(([n]) => n !== 'AWSAccessKeyId')));
      expect(reply).toMatchObject({ status: 403, code: 'AuthMissingFailure' });
    });

    it('without Signature: IncompleteSignature 400', async () => {
      clock = at;
      const reply = await send(emu.url, edited((ps) => ps.filter(([n]) => n !== 'Signature')));
      expect(reply).toMatchObject({ status: 400, code: 'IncompleteSignature' });
    });

    it('16 minutes late or early: RequestExpired 400; 15 minutes is still fresh', async () => {
      for (const offset of [16, -16]) {
        clock = at + offset * 60_000;
        const reply = await send(emu.url, replay(capture, host()));
        expect(reply).toMatchObject({ status: 400, code: 'RequestExpired' });
        expect(reply.body).toContain(`Request has expired. Timestamp date is ${param(capture, 'Timestamp')}`);
      }
      clock = at + 15 * 60_000;
      expect((await send(emu.url, replay(capture, host()))).code).not.toBe('RequestExpired');
    });
  });
});
