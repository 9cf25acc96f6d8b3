/**
 * BoxUsage: informational machine-hours. The base values are the ones captured from the
 * service (Developer Guide, "BoxUsage"); the increments are our deterministic formula.
 */
export const BASE_BOX_USAGE = {
  CreateDomain: 0.0055590278,
  DeleteDomain: 0.0055590278,
  ListDomains: 0.0000071759,
  DomainMetadata: 0.0000071759,
  GetAttributes: 0.0000093282,
  PutAttributes: 0.0000219907,
  DeleteAttributes: 0.0000219907,
  BatchPutAttributes: 0.0000219907,
  BatchDeleteAttributes: 0.0000219907,
  Select: 0.00001372,
} as const;

export type ActionName = keyof typeof BASE_BOX_USAGE;

/** Requests repeat a few amounts (the base of each action, a read of n pairs): toFixed once each. */
const formatted = new Map<number, string>();

export function formatBoxUsage(hours: number): string {
  let text = formatted.get(hours);
  if (text === undefined) {
    text = hours.toFixed(10);
    if (formatted.size >= 4096) formatted.clear();
    formatted.set(hours, text);
  }
  return text;
}

/** Put/Delete: the base covers 1 KB of submitted names and values, then a little per byte. */
export function writeBoxUsage(action: 'PutAttributes' | 'DeleteAttributes', submittedBytes: number): number {
  return BASE_BOX_USAGE[action] + Math.max(0, submittedBytes - 1024) * 0.0000000015;
}

export function getBoxUsage(returnedPairs: number): number {
  return BASE_BOX_USAGE.GetAttributes + Math.max(0, returnedPairs - 8) * 0.000000002;
}

export function batchBoxUsage(action: 'BatchPutAttributes' | 'BatchDeleteAttributes', items: number): number {
  return BASE_BOX_USAGE[action] * items;
}

export function selectBoxUsage(itemsScanned: number): number {
  return BASE_BOX_USAGE.Select + itemsScanned * 0.000000002;
}
