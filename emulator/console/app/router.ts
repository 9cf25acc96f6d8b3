/**
 * Every view has a URL of its own, in the fragment so that the server serves one page for all:
 *   #/domains                      domains
 *   #/domains/D[?next=TOKEN]       items of domain D (a page further with its NextToken)
 *   #/domains/D/items/I            one item
 *   #/select[?q=EXPR&consistent=1] the Select workbench (runs EXPR when given)
 *   #/traffic[?action=&domain=&item=&code=&client=&account=]  the journal, filtered
 *   #/timeline/D/I                 the timeline of item I of domain D
 *   #/shape                        consistency and fault rules
 *   #/findings                     the sync-bug detector's findings (GET /_simpledb/analysis)
 * Names are percent-encoded path segments, so any domain or item name round-trips.
 */
export type Route =
  | { view: 'domains' }
  | { view: 'items'; domain: string; next: string | undefined; browse: Browse }
  | { view: 'item'; domain: string; item: string }
  | { view: 'select'; query: string | undefined; consistent: boolean }
  | { view: 'traffic'; filter: Record<string, string> }
  | { view: 'timeline'; domain: string; item: string }
  | { view: 'shape' }
  | { view: 'findings' }
  | { view: 'missing'; hash: string };

/** The items view's own query: one attribute compared with a value, and a sort attribute. */
export interface Browse {
  attr?: string;
  op?: string;
  value?: string;
  sort?: string;
  desc?: boolean;
}

export const TRAFFIC_FILTERS = ['action', 'domain', 'item', 'code', 'client', 'account'] as const;

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  let parts: string[];
  try {
    parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  } catch {
    return { view: 'missing', hash };
  }
  const [head, a, b, c, ...rest] = parts;
  if (rest.length > 0) return { view: 'missing', hash };
  if (head === undefined || (head === 'domains' && a === undefined)) return { view: 'domains' };
  if (head === 'domains' && a !== undefined && b === undefined) {
    const browse: Browse = {
      attr: query.get('attr') || undefined,
      op: query.get('op') || undefined,
      value: query.get('value') ?? undefined,
      sort: query.get('sort') || undefined,
      desc: query.get('desc') === '1',
    };
    return { view: 'items', domain: a, next: query.get('next') ?? undefined, browse };
  }
  if (head === 'domains' && a !== undefined && b === 'items' && c !== undefined) return { view: 'item', domain: a, item: c };
  if (head === 'select' && a === undefined) {
    return { view: 'select', query: query.get('q') ?? undefined, consistent: query.get('consistent') === '1' };
  }
  if (head === 'traffic' && a === undefined) {
    const filter: Record<string, string> = {};
    for (const key of TRAFFIC_FILTERS) {
      const v = query.get(key);
      if (v) filter[key] = v;
    }
    return { view: 'traffic', filter };
  }
  if (head === 'timeline' && a !== undefined && b !== undefined && c === undefined) return { view: 'timeline', domain: a, item: b };
  if (head === 'shape' && a === undefined) return { view: 'shape' };
  if (head === 'findings' && a === undefined) return { view: 'findings' };
  return { view: 'missing', hash };
}

const seg = encodeURIComponent;
const withQuery = (path: string, query: Record<string, string | undefined>): string => {
  const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
};

export const href = {
  domains: () => '#/domains',
  items: (domain: string, next?: string, browse: Browse = {}) =>
    withQuery(`#/domains/${seg(domain)}`, {
      attr: browse.attr,
      op: browse.attr ? browse.op : undefined,
      value: browse.attr ? browse.value : undefined,
      sort: browse.sort,
      desc: browse.sort && browse.desc ? '1' : undefined,
      next,
    }),
  item: (domain: string, item: string) => `#/domains/${seg(domain)}/items/${seg(item)}`,
  select: (query?: string, consistent?: boolean) => withQuery('#/select', { q: query, consistent: consistent ? '1' : undefined }),
  traffic: (filter: Record<string, string> = {}) => withQuery('#/traffic', filter),
  timeline: (domain: string, item: string) => `#/timeline/${seg(domain)}/${seg(item)}`,
  shape: () => '#/shape',
  findings: () => '#/findings',
};
