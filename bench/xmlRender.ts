/**
 * The XML rendering choice: the emulator's string templates (emulator/http/render.ts)
 * against fast-xml-parser's XMLBuilder producing the same documents. Both outputs are parsed
 * back and compared first, so the two sides are known to say the same thing. The builder side
 * skips the per-value check for characters XML cannot carry (base64 fallback), which favours it.
 */
import { isDeepStrictEqual } from 'node:util';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { formatBoxUsage } from '../emulator/core/boxUsage.js';
import { attributeElement, dataElement, NAMESPACE, successDocument } from '../emulator/http/render.js';
import type { StoredPair } from '../emulator/store/store.js';
import { opsPerSecond } from './load.js';
import { itemRange, type BenchItem } from './workload.js';

const REQUEST_ID = '00000000-0000-0000-0000-000000000000';
const BOX_USAGE = formatBoxUsage(0.0000093282);

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: false });
const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false });

function templateAttributes(pairs: readonly StoredPair[]): string {
  return pairs.map((p) => attributeElement(p.name, p.value)).join('');
}

function templateSelect(items: readonly BenchItem[]): string {
  const result = items.map((i) => `<Item>${dataElement('Name', i.name)}${templateAttributes(i.pairs)}</Item>`).join('');
  return successDocument('Select', result, REQUEST_ID, BOX_USAGE);
}

function builderDocument(action: string, result: Record<string, unknown>): string {
  return builder.build({
    '?xml': { '@version': '1.0' },
    [`${action}Response`]: {
      '@xmlns': NAMESPACE,
      [`${action}Result`]: result,
      ResponseMetadata: { RequestId: REQUEST_ID, BoxUsage: BOX_USAGE },
    },
  }) as string;
}

function builderAttributes(pairs: readonly StoredPair[]): { Name: string; Value: string }[] {
  return pairs.map((p) => ({ Name: p.name, Value: p.value }));
}

export interface RenderComparison {
  document: string;
  templateOps: number;
  builderOps: number;
  /** template ops / builder ops: above 1, the templates are faster. */
  ratio: number;
}

function compare(document: string, template: () => string, build: () => string, ms: number): RenderComparison {
  if (!isDeepStrictEqual(parser.parse(template()), parser.parse(build()))) {
    throw new Error(`${document}: the template and XMLBuilder documents differ`);
  }
  const templateOps = opsPerSecond(template, ms);
  const builderOps = opsPerSecond(build, ms);
  return { document, templateOps, builderOps, ratio: templateOps / builderOps };
}

export function compareRendering(ms: number): RenderComparison[] {
  const [item] = itemRange(42, 1);
  const pairs = item?.pairs ?? [];
  const page = itemRange(0, 100);
  return [
    compare(
      `GetAttributes (${pairs.length} attributes)`,
      () => successDocument('GetAttributes', templateAttributes(pairs), REQUEST_ID, BOX_USAGE),
      () => builderDocument('GetAttributes', { Attribute: builderAttributes(pairs) }),
      ms,
    ),
    compare(
      `Select (${page.length} items × ${pairs.length} attributes)`,
      () => templateSelect(page),
      () =>
        builderDocument('Select', {
          Item: page.map((i) => ({ Name: i.name, Attribute: builderAttributes(i.pairs) })),
        }),
      ms,
    ),
  ];
}
