import type { SendOptions, SimpleDBClient } from './client.js';
import {
  ListDomainsCommand,
  SelectCommand,
  type ListDomainsCommandInput,
  type ListDomainsCommandOutput,
  type SelectCommandInput,
  type SelectCommandOutput,
} from './commands.js';

/** SDK v3's paginator configuration. */
export interface SimpleDBPaginationConfiguration {
  client: SimpleDBClient;
  /** Sent as MaxNumberOfDomains. */
  pageSize?: number;
  /** Resume from a NextToken of an earlier page. */
  startingToken?: string;
}

/** Select's page size is the expression's LIMIT, so it takes no pageSize. */
export type SelectPaginationConfiguration = Omit<SimpleDBPaginationConfiguration, 'pageSize'>;

async function* follow<Page extends { NextToken?: string }>(
  startingToken: string | undefined,
  fetchPage: (token: string | undefined) => Promise<Page>,
): AsyncGenerator<Page, void, undefined> {
  let token = startingToken;
  do {
    const page = await fetchPage(token);
    yield page;
    token = page.NextToken;
  } while (token !== undefined);
}

/** Every page of ListDomains, following NextToken; the other input members are re-sent with each token. */
export function paginateListDomains(
  config: SimpleDBPaginationConfiguration,
  input: ListDomainsCommandInput = {},
  options?: SendOptions,
): AsyncGenerator<ListDomainsCommandOutput, void, undefined> {
  const pageInput = config.pageSize === undefined ? input : { ...input, MaxNumberOfDomains: config.pageSize };
  return follow(config.startingToken ?? input.NextToken, (NextToken) =>
    config.client.send(new ListDomainsCommand({ ...pageInput, NextToken }), options),
  );
}

/** Every page of a Select, following NextToken with the same expression and ConsistentRead. */
export function paginateSelect(
  config: SelectPaginationConfiguration,
  input: SelectCommandInput,
  options?: SendOptions,
): AsyncGenerator<SelectCommandOutput, void, undefined> {
  return follow(config.startingToken ?? input.NextToken, (NextToken) =>
    config.client.send(new SelectCommand({ ...input, NextToken }), options),
  );
}
