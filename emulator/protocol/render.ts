/**
 * XML out. Small string templates rather than an XML builder: the service writes compact XML
 * with a fixed layout, and templates measured several times faster than fast-xml-parser's
 * builder on these documents (see bench/).
 */
export const NAMESPACE = 'http://sdb.amazonaws.com/doc/2009-04-15/';
const PROLOG = '<?xml version="1.0"?>\n';

/** Characters XML 1.0 cannot carry: such names and values travel base64-encoded. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ESCAPED = /[&<>\r]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

/**
 * Text content. A carriage return is written as a character reference because XML parsers
 * fold a literal CR into LF, and values must come back byte for byte.
 */
export function escapeText(s: string): string {
  return ESCAPED.test(s) ? s.replace(ESCAPED, (c) => ENTITY[c] ?? c) : s;
}

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
