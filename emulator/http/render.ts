/**
 * XML out. Small string templates rather than an XML builder: the service writes compact XML
 * with a fixed layout, and templates measured several times faster than fast-xml-parser's
 * builder on these documents (see bench/). Actions return typed results; this module alone
 * turns them into documents.
 */
import type { ActionResult } from '../actions/types.js';
import type { DomainStats, SelectedItem, StoredPair } from '../store/store.js';
import { escapeText, NOT_XML } from '../core/xmlText.js';

export const NAMESPACE = 'http://sdb.amazonaws.com/doc/2009-04-15/';
const PROLOG = '<?xml version="1.0"?>\n';

/** `<Tag>text</Tag>`, or `<Tag encoding="base64">…</Tag>` when the text is not valid XML. */
export function dataElement(tag: string, s: string): string {
  if (NOT_XML.test(s)) return `<${tag} encoding="base64">${Buffer.from(s, 'utf8').toString('base64')}</${tag}>`;
  return `<${tag}>${escapeText(s)}</${tag}>`;
}

export function element(tag: string, text: string): string {
  return `<${tag}>${escapeText(text)}</${tag}>`;
}

export function attributeElement(name: string, value: string): string {
  return `<Attribute>${dataElement('Name', name)}${dataElement('Value', value)}</Attribute>`;
}

/** The inner XML of `<ActionResult>`: '' renders an empty element, null none at all. */
export function resultXml(r: ActionResult): string | null {
  switch (r.action) {
    case 'GetAttributes':
      return attributesXml(r.attributes);
    case 'Select': {
      const body = 'count' in r ? countItemXml(r.count) : r.items.map(selectItemXml).join('');
      return body + nextTokenXml(r.nextToken);
    }
    case 'ListDomains':
      return r.domainNames.map((n) => element('DomainName', n)).join('') + nextTokenXml(r.nextToken);
    case 'DomainMetadata':
      return domainMetadataXml(r.stats, r.timestamp);
    default:
      return null;
  }
}

export function successResponse(r: ActionResult, requestId: string, boxUsage: string): string {
  return successDocument(r.action, resultXml(r), requestId, boxUsage);
}

function attributesXml(pairs: readonly StoredPair[]): string {
  let xml = '';
  for (const p of pairs) xml += attributeElement(p.name, p.value);
  return xml;
}

/** Its size is selectItemBytes (xmlText.ts): keep the two in step. */
export function selectItemXml(item: SelectedItem): string {
  return `<Item>${dataElement('Name', item.name)}${attributesXml(item.attributes)}</Item>`;
}

function countItemXml(count: number): string {
  return '<Item><Name>Domain</Name>' + attributeElement('Count', String(count)) + '</Item>';
}

function nextTokenXml(token: string | null): string {
  return token === null ? '' : element('NextToken', token);
}

function domainMetadataXml(s: DomainStats, timestamp: number): string {
  return (
    `<ItemCount>${s.itemCount}</ItemCount><ItemNamesSizeBytes>${s.itemNamesSizeBytes}</ItemNamesSizeBytes>` +
    `<AttributeNameCount>${s.attributeNameCount}</AttributeNameCount>` +
    `<AttributeNamesSizeBytes>${s.attributeNamesSizeBytes}</AttributeNamesSizeBytes>` +
    `<AttributeValueCount>${s.attributeValueCount}</AttributeValueCount>` +
    `<AttributeValuesSizeBytes>${s.attributeValuesSizeBytes}</AttributeValuesSizeBytes>` +
    `<Timestamp>${timestamp}</Timestamp>`
  );
}

/**
 * `<ActionResponse>` with `<ActionResult>` (present even when empty: boto3 requires it) unless
 * the action has no result members, then `ResponseMetadata`.
 */
export function successDocument(
  action: string,
  result: string | null,
  requestId: string,
  boxUsage: string,
): string {
  const body =
    result === null ? '' : result === '' ? `<${action}Result/>` : `<${action}Result>${result}</${action}Result>`;
  return (
    `${PROLOG}<${action}Response xmlns="${NAMESPACE}">${body}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId><BoxUsage>${boxUsage}</BoxUsage></ResponseMetadata>` +
    `</${action}Response>`
  );
}

/** Messages quote user input, which may hold anything: keep the document well-formed. */
function messageText(s: string): string {
  return escapeText(s.replace(new RegExp(NOT_XML.source, 'gu'), '\uFFFD'));
}

export function errorDocument(code: string, message: string, requestId: string, boxUsage: string | null): string {
  const usage = boxUsage === null ? '' : `<BoxUsage>${boxUsage}</BoxUsage>`;
  return (
    `${PROLOG}<Response><Errors><Error><Code>${code}</Code><Message>${messageText(message)}</Message>${usage}` +
    `</Error></Errors><RequestID>${requestId}</RequestID></Response>`
  );
}
