import { describe, expect, it } from 'vitest';
import {
  ConditionalCheckFailed,
  DomainMetadataCommand,
  GetAttributesCommand,
  ListDomainsCommand,
  NoSuchDomain,
  SelectCommand,
  ServiceUnavailable,
  SimpleDBServiceError,
  createServiceError,
  errorFromStatus,
  type ServiceOutput,
  type SimpleDBCommand,
} from '../../client/index.js';
import { parseError, parseSuccess } from '../../client/xml.js';

const NS = 'xmlns="http://sdb.amazonaws.com/doc/2009-04-15/"';
const META = '<ResponseMetadata><RequestId>b1e8f1f7-42e9-494c-ad09-2674e557526d</RequestId><BoxUsage>0.0000093282</BoxUsage></ResponseMetadata>';
const common: ServiceOutput = { $metadata: { attempts: 1, totalRetryDelay: 0 } };

function decode<O extends ServiceOutput>(command: SimpleDBCommand<object, O>, result: string, meta = META): O {
  const xml = `<?xml version="1.0"?>\n<${command.action}Response ${NS}>${result}${meta}</${command.action}Response>`;
  const document = parseSuccess(command.action, xml);
  if (document === undefined) throw new Error('not a success document');
  return command.deserialize(document.result, common);
}

const get = new GetAttributesCommand({ DomainName: 'd', ItemName: 'i' });
const attributes = (inner: string) => decode(get, `<GetAttributesResult>${inner}</GetAttributesResult>`).Attributes;
const attribute = (name: string, value: string) => `<Attribute><Name>${name}</Name><Value>${value}</Value></Attribute>`;

describe('success documents', () => {
  it('keeps every value a string, untrimmed and unconverted', () => {
    const values = ['0', '007', ' x ', 'true', '1e3', '', '  ', 'null', '-0', '0x10', 'NaN'];
    expect(attributes(values.map((v, i) => attribute(`a${i}`, v)).join(''))).toEqual(values.map((v, i) => ({ Name: `a${i}`, Value: v })));
  });

  it('decodes the XML entities and character references, once', () => {
    expect(attributes(attribute('m', 'a&amp;&lt;&gt;&quot;&apos;b&#13;&#xA;c&#x1F986;&amp;#13;'))).toEqual([
      { Name: 'm', Value: 'a&<>"\'b\r\nc🦆&#13;' },
    ]);
  });

  it('folds literal CR and CRLF to LF, as XML requires (the service writes CR as &#13;)', () => {
    expect(attributes(attribute('m', 'a\r\nb\rc'))).toEqual([{ Name: 'm', Value: 'a\nb\nc' }]);
  });

  it('an empty element is an empty string, whether written <Value/> or <Value></Value>', () => {
    expect(attributes('<Attribute><Name>a</Name><Value/></Attribute><Attribute><Name>b</Name><Value></Value></Attribute>')).toEqual([
      { Name: 'a', Value: '' },
      { Name: 'b', Value: '' },
    ]);
  });

  it('decodes base64 names and values and flags them', () => {
    const name = Buffer.from('bell\u0007').toString('base64');
    const value = Buffer.from('nul\u0000é').toString('base64');
    expect(
      attributes(
        `<Attribute><Name encoding="base64">${name}</Name><Value encoding="base64">${value}</Value></Attribute>` +
          `<Attribute><Name>plain</Name><Value encoding="base64"></Value></Attribute>`,
      ),
    ).toEqual([
      { Name: 'bell\u0007', Value: 'nul\u0000é', AlternateNameEncoding: 'base64', AlternateValueEncoding: 'base64' },
      { Name: 'plain', Value: '', AlternateValueEncoding: 'base64' },
    ]);
  });

  it('a single Attribute is still a list; an empty or missing result is an empty list', () => {
    expect(attributes(attribute('only', '1'))).toEqual([{ Name: 'only', Value: '1' }]);
    expect(decode(get, '<GetAttributesResult/>').Attributes).toEqual([]);
    expect(decode(get, '').Attributes).toEqual([]);
  });

  it('ignores indentation between elements', () => {
    const pretty = `<GetAttributesResult>\n    <Attribute>\n      <Name>Color</Name>\n      <Value> Blue </Value>\n    </Attribute>\n  </GetAttributesResult>\n  `;
    expect(decode(get, pretty).Attributes).toEqual([{ Name: 'Color', Value: ' Blue ' }]);
  });

  it('reads RequestId and BoxUsage from ResponseMetadata', () => {
    const document = parseSuccess('CreateDomain', `<CreateDomainResponse ${NS}>${META}</CreateDomainResponse>`);
    expect(document).toMatchObject({ requestId: 'b1e8f1f7-42e9-494c-ad09-2674e557526d', boxUsage: 0.0000093282 });
    expect(parseSuccess('CreateDomain', `<CreateDomainResponse/>`)).toMatchObject({ requestId: undefined, boxUsage: undefined });
  });

  it('is undefined for another document or none', () => {
    expect(parseSuccess('CreateDomain', `<DeleteDomainResponse ${NS}>${META}</DeleteDomainResponse>`)).toBeUndefined();
    expect(parseSuccess('CreateDomain', '')).toBeUndefined();
    expect(parseSuccess('CreateDomain', '<html><body>Bad Gateway</body></html>')).toBeUndefined();
  });

  it('Select items: names (base64 too), repeated attributes, NextToken', () => {
    const out = decode(
      new SelectCommand({ SelectExpression: 'select * from d' }),
      '<SelectResult><Item><Name>Item_03</Name>' +
        attribute('Color', 'Blue') +
        attribute('Color', 'Pink') +
        `</Item><Item><Name encoding="base64">${Buffer.from('x\u0001').toString('base64')}</Name></Item>` +
        '<NextToken>rO0ABXNy</NextToken></SelectResult>',
    );
    expect(out.Items).toEqual([
      {
        Name: 'Item_03',
        Attributes: [
          { Name: 'Color', Value: 'Blue' },
          { Name: 'Color', Value: 'Pink' },
        ],
      },
      { Name: 'x\u0001', AlternateNameEncoding: 'base64', Attributes: [] },
    ]);
    expect(out.NextToken).toBe('rO0ABXNy');
    expect(decode(new SelectCommand({ SelectExpression: 's' }), '<SelectResult/>')).toEqual({ ...common, Items: [] });
  });

  it('ListDomains: one domain is a list; NextToken only when present', () => {
    const out = decode(new ListDomainsCommand(), '<ListDomainsResult><DomainName>007</DomainName></ListDomainsResult>');
    expect(out).toEqual({ ...common, DomainNames: ['007'] });
  });

  it('DomainMetadata figures are numbers', () => {
    const out = decode(
      new DomainMetadataCommand({ DomainName: 'd' }),
      '<DomainMetadataResult><ItemCount>195078</ItemCount><ItemNamesSizeBytes>2586634</ItemNamesSizeBytes>' +
        '<AttributeNameCount>12</AttributeNameCount><AttributeNamesSizeBytes>120</AttributeNamesSizeBytes>' +
        '<AttributeValueCount>3690416</AttributeValueCount><AttributeValuesSizeBytes>50149756</AttributeValuesSizeBytes>' +
        '<Timestamp>1225486466</Timestamp></DomainMetadataResult>',
    );
    expect(out).toEqual({
      ...common,
      ItemCount: 195078,
      ItemNamesSizeBytes: 2586634,
      AttributeNameCount: 12,
      AttributeNamesSizeBytes: 120,
      AttributeValueCount: 3690416,
      AttributeValuesSizeBytes: 50149756,
      Timestamp: 1225486466,
    });
  });
});

describe('error documents', () => {
  const errorXml = (id: string) =>
    '<?xml version="1.0"?>\n<Response><Errors><Error><Code>NoSuchDomain</Code><Message>The specified domain does not exist.</Message>' +
    `<BoxUsage>0.0000071759</BoxUsage></Error></Errors><${id}>ca3490cb-ca22-982e-06db-247c564eb4e0</${id}></Response>`;

  it('reads Code, Message, BoxUsage and RequestID (or RequestId)', () => {
    const expected = {
      code: 'NoSuchDomain',
      message: 'The specified domain does not exist.',
      boxUsage: 0.0000071759,
      requestId: 'ca3490cb-ca22-982e-06db-247c564eb4e0',
    };
    expect(parseError(errorXml('RequestID'))).toEqual(expected);
    expect(parseError(errorXml('RequestId'))).toEqual(expected);
  });

  it('keeps a message with markup and no BoxUsage (auth errors have none)', () => {
    const xml =
      '<Response><Errors><Error><Code>ConditionalCheckFailed</Code><Message>Conditional check failed. Attribute (n) value is (0) but was expected (&lt;1&amp;&gt;)</Message>' +
      '</Error></Errors><RequestID>r</RequestID></Response>';
    expect(parseError(xml)).toEqual({
      code: 'ConditionalCheckFailed',
      message: 'Conditional check failed. Attribute (n) value is (0) but was expected (<1&>)',
      boxUsage: undefined,
      requestId: 'r',
    });
  });

  it('is undefined for bodies that are not error documents', () => {
    expect(parseError('')).toBeUndefined();
    expect(parseError('Bad Request')).toBeUndefined();
    expect(parseError('<html><body><h1>502 Bad Gateway</h1></body></html>')).toBeUndefined();
    expect(parseError('<Response><Errors><Error><Message>no code</Message></Error></Errors></Response>')).toBeUndefined();
  });

  it('codes of the error table get their class; others a plain SimpleDBServiceError named by the code', () => {
    const known = createServiceError('ConditionalCheckFailed', { message: 'm', httpStatusCode: 409, requestId: 'r', BoxUsage: 0.1 });
    expect(known).toBeInstanceOf(ConditionalCheckFailed);
    expect(known).toBeInstanceOf(SimpleDBServiceError);
    expect(known).toBeInstanceOf(Error);
    expect(known).toMatchObject({ name: 'ConditionalCheckFailed', message: 'm', $fault: 'client', BoxUsage: 0.1 });
    expect(known.$metadata).toEqual({ httpStatusCode: 409, requestId: 'r', attempts: 1, totalRetryDelay: 0 });
    expect(known.constructor.name).toBe('ConditionalCheckFailed');
    expect(known).not.toBeInstanceOf(NoSuchDomain);

    const unknown = createServiceError('Throttling', { message: 'Rate exceeded', httpStatusCode: 400 });
    expect(unknown.constructor).toBe(SimpleDBServiceError);
    expect(unknown.name).toBe('Throttling');
    expect(createServiceError('InternalError', { message: '', httpStatusCode: 500 }).$fault).toBe('server');
  });

  it('a non-XML error body is named after the HTTP status', () => {
    const badGateway = errorFromStatus(502, '<html>upstream</html>');
    expect(badGateway.name).toBe('BadGateway');
    expect(badGateway.message).toBe('Bad Gateway: <html>upstream</html>');
    expect(badGateway.$fault).toBe('server');
    expect(errorFromStatus(400, '').name).toBe('BadRequest');
    expect(errorFromStatus(503, 'busy')).toBeInstanceOf(ServiceUnavailable);
    expect(errorFromStatus(599, '').name).toBe('Http599');
  });
});
