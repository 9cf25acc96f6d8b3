// Journal entries as the emulator records them, for analyses of synthetic journals.
import type { AnalyzableEntry } from '../../emulator/sync/analyze/index.js';

/** A GetAttributes of `item` that returned `attributes`, the client's own connection per request. */
export function readEntry(seq: number, client: string, domain: string, item: string, attributes: Record<string, string[]>, extra: Partial<AnalyzableEntry> = {}): AnalyzableEntry {
  return {
    seq,
    order: seq,
    client,
    connection: seq,
    action: 'GetAttributes',
    params: { Action: 'GetAttributes', Version: '2009-04-15', DomainName: domain, ItemName: item },
    code: 'Success',
    applied: true,
    read: { consistentRead: false, stale: false, returned: { items: [{ name: item, attributes }] } },
    ...extra,
  } as AnalyzableEntry;
}

/** A PutAttributes replacing one attribute of `item`. */
export function putEntry(seq: number, client: string, domain: string, item: string, attribute: string, value: string): AnalyzableEntry {
  return {
    seq,
    order: seq,
    client,
    connection: seq,
    action: 'PutAttributes',
    params: { Action: 'PutAttributes', Version: '2009-04-15', DomainName: domain, ItemName: item, 'Attribute.1.Name': attribute, 'Attribute.1.Value': value, 'Attribute.1.Replace': 'true' },
    code: 'Success',
    applied: true,
  } as AnalyzableEntry;
}
