/** The captured requests of test/fixtures/wire (see its README), one record per line. */
import { readdirSync, readFileSync } from 'node:fs';

export interface WireRecord {
  file: string;
  client: string;
  step: string;
  action: string;
  method: string;
  path: string;
  body: string;
  params: [string, string][];
  signature: string;
  secret_key: string;
  signed_host: string;
}

export const WIRE_DIR = new URL('../fixtures/wire/', import.meta.url);

export function loadWire(): WireRecord[] {
  return readdirSync(WIRE_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((file) =>
      readFileSync(new URL(file, WIRE_DIR), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => ({ file, ...(JSON.parse(line) as Omit<WireRecord, 'file'>) })),
    );
}

/** The parameters an action defines: the captured ones minus Action and the common auth ones. */
export function actionParams(record: WireRecord): [string, string][] {
  const common = new Set(['Action', 'AWSAccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion', 'Timestamp', 'Version']);
  return record.params.filter(([name]) => !common.has(name));
}
