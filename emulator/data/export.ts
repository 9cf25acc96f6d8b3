import type { SimpleDBClient } from '../../client/client.js';
import { DomainMetadataCommand, paginateListDomains, SelectCommand, type Item } from '../../client/index.js';
import { Bulk, type TableSource } from '../store/bulk.js';
import type { StoredPair, Store } from '../store/store.js';
import { domainLine, itemLine, sortPairs } from './format.js';

/** Picks `wanted` out of `existing`, in the order of `existing`; a name not there is an error. */
export function chooseDomains(existing: readonly string[], wanted: readonly string[] | undefined): string[] {
  if (wanted === undefined || wanted.length === 0) return [...existing];
  const missing = wanted.filter((d) => !existing.includes(d));
  if (missing.length > 0) throw new Error(`no such domain: ${missing.join(', ')}`);
  return existing.filter((d) => wanted.includes(d));
}

/**
 * A database's domains, each as its domain line then one line per item, in byte order of domain,
 * item, attribute name and value: the same store always exports the same bytes. One read
 * transaction: the lines show one state of the database even while an emulator writes to it.
 */
export function* exportStore(
  store: Store,
  o: { account?: string; domains?: readonly string[]; from?: TableSource } = {},
): Generator<string> {
  const bulk = new Bulk(store, o.from);
  bulk.beginRead();
  try {
    const all = bulk.domains(o.account ?? '');
    const chosen = new Set(chooseDomains(all.map((d) => d.name), o.domains));
    for (const domain of all) {
      if (!chosen.has(domain.name)) continue;
      yield domainLine(domain.name);
      let item: string | undefined;
      let pairs: StoredPair[] = [];
      for (const row of bulk.pairs(domain.id)) {
        if (row.item !== item) {
          if (item !== undefined) yield itemLine(domain.name, item, pairs);
          item = row.item;
          pairs = [];
        }
        pairs.push({ name: row.name, value: row.value });
      }
      if (item !== undefined) yield itemLine(domain.name, item, pairs);
    }
  } finally {
    bulk.endRead();
  }
}

/** Every domain name of an endpoint, in its ListDomains order. */
export async function listDomains(client: SimpleDBClient): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListDomains({ client, pageSize: 100 })) names.push(...(page.DomainNames ?? []));
  return names;
}

const selectAll = (domain: string) => `select * from \`${domain}\` limit 2500`;

/** One page of a domain through Select (ConsistentRead), as item lines, with the token of the next. */
export async function selectPage(
  client: SimpleDBClient,
  domain: string,
  nextToken: string | undefined,
): Promise<{ items: { item: string; pairs: StoredPair[] }[]; nextToken: string | undefined }> {
  const page = await client.send(
    new SelectCommand({ SelectExpression: selectAll(domain), ConsistentRead: true, NextToken: nextToken }),
  );
  return { items: (page.Items ?? []).map(toPairs), nextToken: page.NextToken };
}

function toPairs(item: Item): { item: string; pairs: StoredPair[] } {
  return { item: item.Name, pairs: sortPairs(item.Attributes.map((a) => ({ name: a.Name, value: a.Value }))) };
}

/** Items and pairs of a domain by DomainMetadata, for progress totals. */
export async function domainSize(client: SimpleDBClient, domain: string): Promise<{ items: number; pairs: number }> {
  const m = await client.send(new DomainMetadataCommand({ DomainName: domain }));
  return { items: m.ItemCount ?? 0, pairs: m.AttributeValueCount ?? 0 };
}

/**
 * The same lines from any SimpleDB endpoint. Items come in the order Select returns them (item
 * name order from this emulator, the service's own order from AWS); pairs are sorted per item.
 */
export async function* exportEndpoint(client: SimpleDBClient, o: { domains?: readonly string[] } = {}): AsyncGenerator<string> {
  for (const domain of chooseDomains(await listDomains(client), o.domains)) {
    yield domainLine(domain);
    let token: string | undefined;
    do {
      const page = await selectPage(client, domain, token);
      for (const { item, pairs } of page.items) yield itemLine(domain, item, pairs);
      token = page.nextToken;
    } while (token !== undefined);
  }
}
