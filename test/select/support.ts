import { exactXmlParser } from '../support/xml.js';
import { createSelectAction, type SelectOptions } from '../../emulator/actions/select.js';
import { DEFAULT_LIMITS, type ActionContext } from '../../emulator/actions/types.js';
import { SdbError } from '../../emulator/core/errors.js';
import { Params } from '../../emulator/core/params.js';
import { resultXml } from '../../emulator/http/render.js';
import { Store } from '../../emulator/store/store.js';

export type Attrs = Record<string, string[]>;
export type Data = Record<string, Attrs>;

export interface ResultItem {
  name: string;
  attrs: [string, string][];
}

export interface SelectPage {
  items: ResultItem[];
  nextToken?: string;
  boxUsage: number;
}

const parser = exactXmlParser(['Item', 'Attribute']);

type Node = string | { '#text'?: string; '@_encoding'?: string };

export function text(node: Node | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node;
  const t = node['#text'] ?? '';
  return node['@_encoding'] === 'base64' ? Buffer.from(t, 'base64').toString('utf8') : t;
}

interface ParsedResult {
  Item?: { Name: Node; Attribute?: { Name: Node; Value: Node }[] }[];
  NextToken?: string;
}

/** The items of a `<SelectResult>` body (or of a whole response document). */
export function parseSelectResult(xml: string): Omit<SelectPage, 'boxUsage'> {
  const doc = parser.parse(xml) as { SelectResult?: ParsedResult | '' };
  const r = doc.SelectResult || {};
  const items = (r.Item ?? []).map((it) => ({
    name: text(it.Name),
    attrs: (it.Attribute ?? []).map((a): [string, string] => [text(a.Name), text(a.Value)]),
  }));
  return r.NextToken === undefined ? { items } : { items, nextToken: r.NextToken };
}

export class Fixture {
  readonly tokenKey = Buffer.alloc(32, 7);
  private readonly action;
  readonly domainId: number;

  constructor(
    options: Partial<SelectOptions> = {},
    readonly domain = 'd',
    readonly store = new Store(),
  ) {
    this.action = createSelectAction(options);
    this.domainId = this.store.createDomain('', domain, 0);
  }

  /** The same data behind an action with other options. */
  view(options: Partial<SelectOptions>): Fixture {
    return new Fixture(options, this.domain, this.store);
  }

  get ctx(): ActionContext {
    return {
      store: this.store,
      account: '',
      now: Date.now,
      version: '2009-04-15',
      limits: DEFAULT_LIMITS,
      tokenKey: this.tokenKey,
    };
  }

  put(data: Data): this {
    this.store.transaction(() => {
      for (const [item, attrs] of Object.entries(data)) {
        const pairs = Object.entries(attrs).flatMap(([name, values]) => values.map((value) => ({ name, value, replace: false })));
        this.store.putAttributes(this.domainId, item, pairs);
      }
    });
    return this;
  }

  /** The inner XML of `<SelectResult>` as the protocol route renders it. */
  raw(params: [string, string][]): { result: string | null; boxUsage: number } {
    const out = this.action.handle(new Params(params), this.ctx);
    return { result: resultXml(out.result), boxUsage: out.boxUsage };
  }

  select(expression: string, nextToken?: string, extra: [string, string][] = []): SelectPage {
    const params: [string, string][] = [['SelectExpression', expression], ...extra];
    if (nextToken !== undefined) params.push(['NextToken', nextToken]);
    const out = this.raw(params);
    return { ...parseSelectResult(`<SelectResult>${out.result ?? ''}</SelectResult>`), boxUsage: out.boxUsage };
  }

  names(expression: string): string[] {
    return this.select(expression).items.map((i) => i.name);
  }

  /** Every page, following NextTokens. */
  all(expression: string, maxPages = 10_000): ResultItem[] {
    const out: ResultItem[] = [];
    let token: string | undefined;
    for (let n = 0; n < maxPages; n++) {
      const page = this.select(expression, token);
      out.push(...page.items);
      token = page.nextToken;
      if (token === undefined) return out;
    }
    throw new Error('too many pages');
  }

  /** The SimpleDB error code a call fails with, or 'OK'. */
  code(expression: string | undefined, extra: [string, string][] = []): string {
    try {
      this.raw(expression === undefined ? extra : [['SelectExpression', expression], ...extra]);
      return 'OK';
    } catch (e) {
      if (e instanceof SdbError) return e.code;
      throw e;
    }
  }

  error(expression: string | undefined, extra: [string, string][] = []): SdbError {
    try {
      this.raw(expression === undefined ? extra : [['SelectExpression', expression], ...extra]);
    } catch (e) {
      if (e instanceof SdbError) return e;
      throw e;
    }
    throw new Error('expected an error');
  }

  close(): void {
    this.store.close();
  }
}
