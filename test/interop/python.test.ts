// Unmodified boto 2 and boto3 (Debian's python3-boto and python3-boto3) run whole sessions
// against the emulator with signature checking on: boto 2 signs the host without its port, sends
// GET requests and Select probes; boto3 sends POST, paginates and maps modelled errors.
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.js';

const KEY = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const script = fileURLToPath(new URL('./python_clients.py', import.meta.url));

/** The first interpreter that has both clients, if any. */
const python = ['/usr/bin/python3', 'python3'].find(
  (exe) => spawnSync(exe, ['-c', 'import boto, boto3'], { stdio: 'ignore' }).status === 0,
);

describe.skipIf(python === undefined)(
  'boto 2 and boto3 against the emulator (needs: apt-get install python3-boto python3-boto3)',
  () => {
    it('complete their sessions, every request signed and verified', async () => {
      await using emu = await startEmulator({ port: 0, credentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }] });
      // Async: the emulator answers from this very process.
      const { stdout } = await promisify(execFile)(python ?? 'python3', [script, emu.url, KEY, SECRET], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(stdout.trim().split('\n')).toEqual(['boto2 ok', 'boto3 ok']);
      const outcomes = emu.control.journal().map((e) => e.code);
      // boto 2's probe of a missing domain, the two refused conditional puts, boto3's NoSuchDomain.
      expect(outcomes.filter((c) => c !== 'Success').sort()).toEqual([
        'ConditionalCheckFailed',
        'ConditionalCheckFailed',
        'NoSuchDomain',
        'NoSuchDomain',
      ]);
      expect(outcomes).not.toContain('SignatureDoesNotMatch');
    });
  },
);
