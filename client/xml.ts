import { XMLParser } from 'fast-xml-parser';

/**
 * A parsed element: child elements by tag name (repeated tags as arrays), XML attributes under
 * `@name`, and the element's own text under `#text` when it also has attributes. An element
 * with neither children nor attributes is a plain string.
 */
export interface XmlElement {
  readonly [key: string]: XmlValue | undefined;
}
export type XmlValue = string | XmlElement | readonly XmlValue[];

/** Tags that may repeat, so one occurrence still parses as a list. */
const REPEATED = new Set(['Attribute', 'Item', 'DomainName']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  // Values are opaque strings: "007", "1e3", "true" and " x " must come back as sent.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // The parser's decoder leaves numeric references such as &#13; (how a CR travels) undecoded
  // unless HTML entities are switched on, so entities are decoded here instead; this also
  // keeps DOCTYPE entity expansion out of reach.
  processEntities: false,
  ignoreDeclaration: true,
  isArray: (tagName: string, _jPath: unknown, _isLeaf: boolean, isAttribute: boolean) =>
    !isAttribute && REPEATED.has(tagName),
});

const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  return raw.replace(ENTITY, (whole, name: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (name !== undefined) return NAMED[name] ?? whole;
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function isElement(value: XmlValue | undefined): value is XmlElement {
  return typeof value === 'object' && !Array.isArray(value);
}

const EMPTY: XmlElement = {};

/** Every occurrence of a child tag; a missing tag is an empty list. */
export function children(parent: XmlElement, tag: string): readonly XmlValue[] {
  const value = parent[tag];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value as string | XmlElement];
}

/** A value as an element: text-only content (`<A/>`, whitespace) is an element without children. */
export function asElement(value: XmlValue): XmlElement {
  return isElement(value) ? value : EMPTY;
}

/** The first child element with that tag, or undefined when the tag is absent. */
export function child(parent: XmlElement, tag: string): XmlElement | undefined {
  const first = children(parent, tag)[0];
  return first === undefined ? undefined : asElement(first);
}

/** The decoded text of a value: `<A/>` and `<A></A>` are both "". */
export function text(value: XmlValue | undefined): string {
  if (typeof value === 'string') return decodeEntities(value);
  if (isElement(value)) return text(value['#text'] ?? '');
  return '';
}

/** The text of the first child with that tag, or undefined when the tag is absent. */
export function childText(parent: XmlElement, tag: string): string | undefined {
  const first = children(parent, tag)[0];
  return first === undefined ? undefined : text(first);
}

export interface EncodedText {
  text: string;
  /** The service sends names and values that XML cannot carry base64-encoded, flagged `encoding="base64"`. */
  base64: boolean;
}

export function encodedText(value: XmlValue | undefined): EncodedText {
  if (isElement(value) && value['@encoding'] === 'base64') {
    return { text: Buffer.from(text(value), 'base64').toString('utf8'), base64: true };
  }
  return { text: text(value), base64: false };
}

/** A body the parser rejects is treated like any other body that is not the expected document. */
function parseDocument(body: string): XmlElement {
  let parsed: unknown;
  try {
    parsed = parser.parse(body);
  } catch {
    return EMPTY;
  }
  return typeof parsed === 'object' && parsed !== null ? (parsed as XmlElement) : EMPTY;
}

function boxUsage(s: string | undefined): number | undefined {
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

export interface SuccessDocument {
  /** `<{Action}Result>`, empty for the actions whose output has no members. */
  result: XmlElement;
  requestId: string | undefined;
  boxUsage: number | undefined;
}

/** `<{Action}Response>`; undefined when the body is not that document. */
export function parseSuccess(action: string, body: string): SuccessDocument | undefined {
  const root = child(parseDocument(body), `${action}Response`);
  if (root === undefined) return undefined;
  const metadata = child(root, 'ResponseMetadata') ?? EMPTY;
  return {
    result: child(root, `${action}Result`) ?? EMPTY,
    requestId: childText(metadata, 'RequestId'),
    boxUsage: boxUsage(childText(metadata, 'BoxUsage')),
  };
}

export interface ErrorDocument {
  code: string;
  message: string;
  requestId: string | undefined;
  boxUsage: number | undefined;
}

/**
 * `<Response><Errors><Error><Code/><Message/><BoxUsage/></Error></Errors><RequestID/></Response>`.
 * The service spells it `RequestID` here; `RequestId` is accepted too since botocore-style
 * servers send that. Undefined when the body is not such a document.
 */
export function parseError(body: string): ErrorDocument | undefined {
  const root = child(parseDocument(body), 'Response');
  const errors = root && child(root, 'Errors');
  const error = errors && child(errors, 'Error');
  const code = error && childText(error, 'Code');
  if (root === undefined || error === undefined || code === undefined || code.trim() === '') return undefined;
  return {
    code: code.trim(),
    message: childText(error, 'Message') ?? '',
    requestId: childText(root, 'RequestID') ?? childText(root, 'RequestId'),
    boxUsage: boxUsage(childText(error, 'BoxUsage')),
  };
}
