import { XMLParser } from 'fast-xml-parser';

/**
 * The parser settings every test reads responses with: values stay the exact strings they were
 * (fast-xml-parser's defaults turn "007" into 7 and trim " x "), attributes are kept as `@_x`
 * (for `encoding="base64"`), and character references such as `&#13;` are decoded, as expat
 * and sax, the parsers real clients use, decode them.
 */
export function exactXmlParser(arrays: readonly string[] = []): XMLParser {
  return new XMLParser({
    parseTagValue: false,
    trimValues: false,
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    htmlEntities: true,
    isArray: (name) => arrays.includes(name),
  });
}
