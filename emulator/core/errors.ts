/**
 * The service's error catalogue: one factory per code, with the HTTP status and the exact
 * message template of the Amazon SimpleDB Developer Guide, "API Error Codes". Every error a request can end in is
 * built here, so a message is spelled once.
 */
export class SdbError extends Error {
  override readonly name = 'SdbError';
  /** Where in a Select expression a syntax error was found: never sent by the service, shown by the console. */
  position?: number;
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Auth failures are answered without a BoxUsage element, as captured from the service. */
    readonly withBoxUsage = true,
  ) {
    super(message);
  }
}

const e = (code: string, status: number, message: string) => new SdbError(code, status, message);

export const errors = {
  accessFailure: (resource: string) => e('AccessFailure', 403, `Access to the resource ${resource} is denied.`),
  attributeDoesNotExist: (name: string) => e('AttributeDoesNotExist', 404, `Attribute (${name}) does not exist`),
  authFailure: () => e('AuthFailure', 403, 'AWS was not able to validate the provided access keys.'),
  authMissingFailure: () =>
    e('AuthMissingFailure', 403, 'AWS was not able to authenticate the request: access keys are missing.'),
  authorizationFailure: (action: string, region: string, account: string, domain: string) =>
    e(
      'AuthorizationFailure',
      403,
      `Session does not have permission to perform (sdb:${action}) on resource (arn:aws:sdb:${region}:${account}:domain/${domain}). Contact account owner.`,
    ),
  conditionalValueExists: (name: string) =>
    e('ConditionalCheckFailed', 409, `Conditional check failed. Attribute (${name}) value exists`),
  conditionalValueMismatch: (name: string, actual: string, expected: string) =>
    e(
      'ConditionalCheckFailed',
      409,
      `Conditional check failed. Attribute (${name}) value is (${actual}) but was expected (${expected})`,
    ),
  duplicateItemName: (item: string) => e('DuplicateItemName', 400, `Item ${item} was specified more than once.`),
  existsAndExpectedValue: () =>
    e('ExistsAndExpectedValue', 400, 'Expected.Exists=false and Expected.Value cannot be specified together'),
  /** Not the service's: HTTP's own answer to an `Expect:` header the server cannot meet. */
  expectationFailed: (expect: string) => e('ExpectationFailed', 417, `The expectation ${expect} is not supported; only 100-continue is.`),
  featureDeprecated: () =>
    e('FeatureDeprecated', 400, 'The replace flag must be specified per attribute, not per item.'),
  incompleteExpectedExpression: () =>
    e(
      'IncompleteExpectedExpression',
      400,
      'If Expected.Exists=true or unspecified, then Expected.Value has to be specified',
    ),
  incompleteSignature: () => e('IncompleteSignature', 400, 'The request signature does not conform to AWS standards.'),
  internalError: () => e('InternalError', 500, 'Request could not be executed due to an internal service error.'),
  invalidAction: (action: string) => e('InvalidAction', 400, `The action ${action} is not valid for this web service.`),
  invalidClientTokenId: () =>
    new SdbError(
      'InvalidClientTokenId',
      403,
      'The AWS Access Key Id you provided does not exist in our records.',
      false,
    ),
  invalidHttpAuthHeader: (correctFormat: string) =>
    e('InvalidHTTPAuthHeader', 400, `The HTTP authorization header is bad, use ${correctFormat}.`),
  invalidHttpRequest: (reason: string) => e('InvalidHttpRequest', 400, `The HTTP request is invalid. Reason: ${reason}.`),
  invalidLiteral: () => e('InvalidLiteral', 400, 'Illegal literal in the filter expression.'),
  invalidNextToken: () => e('InvalidNextToken', 400, 'The specified next token is not valid.'),
  invalidNumberPredicates: () => e('InvalidNumberPredicates', 400, 'Too many predicates in the query expression.'),
  invalidNumberValueTests: () =>
    e('InvalidNumberValueTests', 400, 'Too many value tests per predicate in the query expression.'),
  invalidParameterCombination: (a: string, b: string) =>
    e('InvalidParameterCombination', 400, `The parameter ${a} cannot be used with the parameter ${b}.`),
  /** `Value (<v>) for parameter <P> is invalid. <reason>`; with no reason the text ends in "invalid. ". */
  invalidParameterValue: (param: string, value: string, reason = '') =>
    e('InvalidParameterValue', 400, `Value (${value}) for parameter ${param} is invalid. ${reason}`),
  /** The one variant the service prints without a space after "invalid.". */
  emptyAttributeName: () =>
    e('InvalidParameterValue', 400, 'Value () for parameter Name is invalid.The empty string is an illegal attribute name'),
  invalidQueryExpression: () => e('InvalidQueryExpression', 400, 'The specified query expression syntax is not valid.'),
  invalidResponseGroups: (groups: string) =>
    e('InvalidResponseGroups', 400, `The following response groups are invalid: ${groups}.`),
  invalidService: (service: string) => e('InvalidService', 400, `The Web Service ${service} does not exist.`),
  invalidSoapRequest: (reason: string) => e('InvalidSOAPRequest', 400, `Invalid SOAP request. ${reason}.`),
  invalidSortExpression: () =>
    e(
      'InvalidSortExpression',
      400,
      'The sort attribute must be present in at least one of the predicates, and the predicate cannot contain the is null operator.',
    ),
  invalidUri: (uri: string) => e('InvalidURI', 400, `The URI ${uri} is not valid.`),
  invalidWsAddressingProperty: (param: string, value: string) =>
    e('InvalidWSAddressingProperty', 400, `WS-Addressing parameter ${param} has a wrong value: ${value}.`),
  invalidWsdlVersion: (param: string) =>
    e(
      'InvalidWSDLVersion',
      400,
      `Parameter (${param}) is only supported in WSDL version 2009-04-15 or beyond. Please upgrade to new version`,
    ),
  malformedSoapSignature: (reason: string) => e('MalformedSOAPSignature', 403, `Invalid SOAP Signature. ${reason}.`),
  missingAction: () => e('MissingAction', 400, 'No action was supplied with this request.'),
  missingParameter: (param: string) => e('MissingParameter', 400, `The request must contain the parameter ${param}`),
  missingParameterText: (message: string) => e('MissingParameter', 400, message),
  missingWsAddressingProperty: (param: string) =>
    e('MissingWSAddressingProperty', 400, `WS-Addressing is missing a required parameter (${param}).`),
  multipleExistsConditions: () => e('MultipleExistsConditions', 400, 'Only one Exists condition can be specified'),
  multipleExpectedNames: () => e('MultipleExpectedNames', 400, 'Only one Expected.Name can be specified'),
  multipleExpectedValues: () => e('MultipleExpectedValues', 400, 'Only one Expected.Value can be specified'),
  multiValuedAttribute: (name: string) =>
    e(
      'MultiValuedAttribute',
      409,
      `Attribute (${name}) is multi-valued. Conditional check can only be performed on a single-valued attribute`,
    ),
  noSuchDomain: () => e('NoSuchDomain', 400, 'The specified domain does not exist.'),
  noSuchVersion: (version: string) =>
    e('NoSuchVersion', 400, `The requested version (${version}) of service AmazonSimpleDB does not exist.`),
  notYetImplemented: (feature: string) => e('NotYetImplemented', 401, `Feature ${feature} is not yet available.`),
  numberDomainsExceeded: () => e('NumberDomainsExceeded', 409, 'The domain limit was exceeded.'),
  numberDomainAttributesExceeded: () => e('NumberDomainAttributesExceeded', 409, 'Too many attributes in this domain.'),
  numberDomainBytesExceeded: () => e('NumberDomainBytesExceeded', 409, 'Too many bytes in this domain.'),
  numberItemAttributesExceeded: () => e('NumberItemAttributesExceeded', 409, 'Too many attributes in this item.'),
  numberSubmittedAttributesExceeded: () =>
    e('NumberSubmittedAttributesExceeded', 409, 'Too many attributes in a single call.'),
  numberSubmittedItemAttributesExceeded: (item: string) =>
    e(
      'NumberSubmittedAttributesExceeded',
      409,
      `Too many attributes for item ${item} in a single call. Up to 256 attributes per call allowed.`,
    ),
  numberSubmittedItemsExceeded: () =>
    e('NumberSubmittedItemsExceeded', 409, 'Too many items in a single call. Up to 25 items per call allowed.'),
  /** The documented name of the Select timeout; the emulator itself answers `requestTimeout`, which SDKs map. */
  queryTimeout: (domain: string, expression: string, boxUsage: string) =>
    e(
      'QueryTimeout',
      408,
      `A timeout occurred when attempting to query domain ${domain} with query expression ${expression}. BoxUsage [${boxUsage}]`,
    ),
  requestExpired: (param: 'Timestamp' | 'Expires', date: string) =>
    e('RequestExpired', 400, `Request has expired. ${param} date is ${date}`),
  requestTimeout: (domain: string, expression: string, boxUsage: string) =>
    e(
      'RequestTimeout',
      408,
      `A timeout occurred when attempting to query domain ${domain} with query expression ${expression}. BoxUsage [${boxUsage}]`,
    ),
  serviceUnavailable: () =>
    e(
      'ServiceUnavailable',
      503,
      'Service Amazon SimpleDB is busy handling other requests, likely due to too many simultaneous requests. Consider reducing the frequency of your requests, and try again. See About Response Code 503.',
    ),
  signatureDoesNotMatch: () =>
    new SdbError(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      false,
    ),
  tooManyRequestedAttributes: () => e('TooManyRequestedAttributes', 400, 'Too many attributes requested.'),
  unsupportedHttpVerb: (verb: string) => e('UnsupportedHttpVerb', 400, `The requested HTTP verb is not supported: ${verb}.`),
  unsupportedNextToken: () =>
    e('UnsupportedNextToken', 400, 'The specified next token is no longer supported. Please resubmit your query.'),
  uriTooLong: (max: number) => e('URITooLong', 400, `The URI exceeded the maximum limit of ${max}.`),
} as const;
