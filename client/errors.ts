import { STATUS_CODES } from 'node:http';

/** SDK v3's `$metadata`. */
export interface ResponseMetadata {
  /** Absent when no HTTP response was received (network error, timeout, abort). */
  httpStatusCode?: number;
  requestId?: string;
  /** Requests sent for this call, retries included. */
  attempts: number;
  /** Milliseconds spent waiting between attempts. */
  totalRetryDelay: number;
}

/**
 * Every failure of `client.send` other than a programming error. `$writeMayHaveBeenApplied`
 * is set on conditional writes (PutAttributes/DeleteAttributes with `Expected`) that failed
 * ambiguously (a 5xx, a timeout, a connection lost after the request may have left, an abort
 * while in flight): the client does not re-send those, and the caller must find out by reading.
 */
export abstract class SimpleDBError extends Error {
  $metadata: ResponseMetadata = { attempts: 1, totalRetryDelay: 0 };
  $writeMayHaveBeenApplied?: boolean;
}

export interface ServiceErrorDetails {
  message: string;
  httpStatusCode: number;
  requestId?: string;
  BoxUsage?: number;
}

/** An error answer of the service; `name` is the error code. */
export class SimpleDBServiceError extends SimpleDBError {
  override readonly name: string;
  readonly $fault: 'client' | 'server';
  readonly BoxUsage?: number;

  constructor(code: string, details: ServiceErrorDetails) {
    super(details.message);
    this.name = code;
    this.$fault = details.httpStatusCode >= 500 ? 'server' : 'client';
    this.BoxUsage = details.BoxUsage;
    this.$metadata = {
      httpStatusCode: details.httpStatusCode,
      requestId: details.requestId,
      attempts: 1,
      totalRetryDelay: 0,
    };
  }
}

export type ServiceErrorClass<Code extends string = string> = new (details: ServiceErrorDetails) => SimpleDBServiceError & {
  readonly name: Code;
};

const byCode = new Map<string, ServiceErrorClass>();

function serviceError<const Code extends string>(code: Code): ServiceErrorClass<Code> {
  const ErrorClass = class extends SimpleDBServiceError {
    override readonly name: Code = code;
    constructor(details: ServiceErrorDetails) {
      super(code, details);
    }
  };
  // Stack traces and `err.constructor.name` show the code rather than an anonymous class.
  Object.defineProperty(ErrorClass, 'name', { value: code });
  byCode.set(code, ErrorClass);
  return ErrorClass;
}

// One class per code of the Amazon SimpleDB Developer Guide's "API Error Codes" table, so callers can
// write `err instanceof ConditionalCheckFailed`; each type alias lets the name serve as a type too.
export const AccessFailure = serviceError('AccessFailure');
export type AccessFailure = InstanceType<typeof AccessFailure>;
export const AttributeDoesNotExist = serviceError('AttributeDoesNotExist');
export type AttributeDoesNotExist = InstanceType<typeof AttributeDoesNotExist>;
export const AuthFailure = serviceError('AuthFailure');
export type AuthFailure = InstanceType<typeof AuthFailure>;
export const AuthMissingFailure = serviceError('AuthMissingFailure');
export type AuthMissingFailure = InstanceType<typeof AuthMissingFailure>;
export const AuthorizationFailure = serviceError('AuthorizationFailure');
export type AuthorizationFailure = InstanceType<typeof AuthorizationFailure>;
export const ConditionalCheckFailed = serviceError('ConditionalCheckFailed');
export type ConditionalCheckFailed = InstanceType<typeof ConditionalCheckFailed>;
export const DuplicateItemName = serviceError('DuplicateItemName');
export type DuplicateItemName = InstanceType<typeof DuplicateItemName>;
export const ExistsAndExpectedValue = serviceError('ExistsAndExpectedValue');
export type ExistsAndExpectedValue = InstanceType<typeof ExistsAndExpectedValue>;
export const FeatureDeprecated = serviceError('FeatureDeprecated');
export type FeatureDeprecated = InstanceType<typeof FeatureDeprecated>;
export const IncompleteExpectedExpression = serviceError('IncompleteExpectedExpression');
export type IncompleteExpectedExpression = InstanceType<typeof IncompleteExpectedExpression>;
export const IncompleteSignature = serviceError('IncompleteSignature');
export type IncompleteSignature = InstanceType<typeof IncompleteSignature>;
export const InternalError = serviceError('InternalError');
export type InternalError = InstanceType<typeof InternalError>;
export const InvalidAction = serviceError('InvalidAction');
export type InvalidAction = InstanceType<typeof InvalidAction>;
export const InvalidClientTokenId = serviceError('InvalidClientTokenId');
export type InvalidClientTokenId = InstanceType<typeof InvalidClientTokenId>;
export const InvalidHTTPAuthHeader = serviceError('InvalidHTTPAuthHeader');
export type InvalidHTTPAuthHeader = InstanceType<typeof InvalidHTTPAuthHeader>;
export const InvalidHttpRequest = serviceError('InvalidHttpRequest');
export type InvalidHttpRequest = InstanceType<typeof InvalidHttpRequest>;
export const InvalidLiteral = serviceError('InvalidLiteral');
export type InvalidLiteral = InstanceType<typeof InvalidLiteral>;
export const InvalidNextToken = serviceError('InvalidNextToken');
export type InvalidNextToken = InstanceType<typeof InvalidNextToken>;
export const InvalidNumberPredicates = serviceError('InvalidNumberPredicates');
export type InvalidNumberPredicates = InstanceType<typeof InvalidNumberPredicates>;
export const InvalidNumberValueTests = serviceError('InvalidNumberValueTests');
export type InvalidNumberValueTests = InstanceType<typeof InvalidNumberValueTests>;
export const InvalidParameterCombination = serviceError('InvalidParameterCombination');
export type InvalidParameterCombination = InstanceType<typeof InvalidParameterCombination>;
export const InvalidParameterValue = serviceError('InvalidParameterValue');
export type InvalidParameterValue = InstanceType<typeof InvalidParameterValue>;
export const InvalidQueryExpression = serviceError('InvalidQueryExpression');
export type InvalidQueryExpression = InstanceType<typeof InvalidQueryExpression>;
export const InvalidResponseGroups = serviceError('InvalidResponseGroups');
export type InvalidResponseGroups = InstanceType<typeof InvalidResponseGroups>;
export const InvalidService = serviceError('InvalidService');
export type InvalidService = InstanceType<typeof InvalidService>;
export const InvalidSOAPRequest = serviceError('InvalidSOAPRequest');
export type InvalidSOAPRequest = InstanceType<typeof InvalidSOAPRequest>;
export const InvalidSortExpression = serviceError('InvalidSortExpression');
export type InvalidSortExpression = InstanceType<typeof InvalidSortExpression>;
export const InvalidURI = serviceError('InvalidURI');
export type InvalidURI = InstanceType<typeof InvalidURI>;
export const InvalidWSAddressingProperty = serviceError('InvalidWSAddressingProperty');
export type InvalidWSAddressingProperty = InstanceType<typeof InvalidWSAddressingProperty>;
export const InvalidWSDLVersion = serviceError('InvalidWSDLVersion');
export type InvalidWSDLVersion = InstanceType<typeof InvalidWSDLVersion>;
export const MalformedSOAPSignature = serviceError('MalformedSOAPSignature');
export type MalformedSOAPSignature = InstanceType<typeof MalformedSOAPSignature>;
export const MissingAction = serviceError('MissingAction');
export type MissingAction = InstanceType<typeof MissingAction>;
export const MissingParameter = serviceError('MissingParameter');
export type MissingParameter = InstanceType<typeof MissingParameter>;
export const MissingWSAddressingProperty = serviceError('MissingWSAddressingProperty');
export type MissingWSAddressingProperty = InstanceType<typeof MissingWSAddressingProperty>;
export const MultipleExistsConditions = serviceError('MultipleExistsConditions');
export type MultipleExistsConditions = InstanceType<typeof MultipleExistsConditions>;
export const MultipleExpectedNames = serviceError('MultipleExpectedNames');
export type MultipleExpectedNames = InstanceType<typeof MultipleExpectedNames>;
export const MultipleExpectedValues = serviceError('MultipleExpectedValues');
export type MultipleExpectedValues = InstanceType<typeof MultipleExpectedValues>;
export const MultiValuedAttribute = serviceError('MultiValuedAttribute');
export type MultiValuedAttribute = InstanceType<typeof MultiValuedAttribute>;
export const NoSuchDomain = serviceError('NoSuchDomain');
export type NoSuchDomain = InstanceType<typeof NoSuchDomain>;
export const NoSuchVersion = serviceError('NoSuchVersion');
export type NoSuchVersion = InstanceType<typeof NoSuchVersion>;
export const NotYetImplemented = serviceError('NotYetImplemented');
export type NotYetImplemented = InstanceType<typeof NotYetImplemented>;
export const NumberDomainAttributesExceeded = serviceError('NumberDomainAttributesExceeded');
export type NumberDomainAttributesExceeded = InstanceType<typeof NumberDomainAttributesExceeded>;
export const NumberDomainBytesExceeded = serviceError('NumberDomainBytesExceeded');
export type NumberDomainBytesExceeded = InstanceType<typeof NumberDomainBytesExceeded>;
export const NumberDomainsExceeded = serviceError('NumberDomainsExceeded');
export type NumberDomainsExceeded = InstanceType<typeof NumberDomainsExceeded>;
export const NumberItemAttributesExceeded = serviceError('NumberItemAttributesExceeded');
export type NumberItemAttributesExceeded = InstanceType<typeof NumberItemAttributesExceeded>;
export const NumberSubmittedAttributesExceeded = serviceError('NumberSubmittedAttributesExceeded');
export type NumberSubmittedAttributesExceeded = InstanceType<typeof NumberSubmittedAttributesExceeded>;
export const NumberSubmittedItemsExceeded = serviceError('NumberSubmittedItemsExceeded');
export type NumberSubmittedItemsExceeded = InstanceType<typeof NumberSubmittedItemsExceeded>;
export const QueryTimeout = serviceError('QueryTimeout');
export type QueryTimeout = InstanceType<typeof QueryTimeout>;
export const RequestExpired = serviceError('RequestExpired');
export type RequestExpired = InstanceType<typeof RequestExpired>;
export const RequestTimeout = serviceError('RequestTimeout');
export type RequestTimeout = InstanceType<typeof RequestTimeout>;
export const ServiceUnavailable = serviceError('ServiceUnavailable');
export type ServiceUnavailable = InstanceType<typeof ServiceUnavailable>;
export const SignatureDoesNotMatch = serviceError('SignatureDoesNotMatch');
export type SignatureDoesNotMatch = InstanceType<typeof SignatureDoesNotMatch>;
export const TooManyRequestedAttributes = serviceError('TooManyRequestedAttributes');
export type TooManyRequestedAttributes = InstanceType<typeof TooManyRequestedAttributes>;
export const UnsupportedHttpVerb = serviceError('UnsupportedHttpVerb');
export type UnsupportedHttpVerb = InstanceType<typeof UnsupportedHttpVerb>;
export const UnsupportedNextToken = serviceError('UnsupportedNextToken');
export type UnsupportedNextToken = InstanceType<typeof UnsupportedNextToken>;
export const URITooLong = serviceError('URITooLong');
export type URITooLong = InstanceType<typeof URITooLong>;

/** The class of a code from the table, or a plain SimpleDBServiceError named after an unknown code. */
export function createServiceError(code: string, details: ServiceErrorDetails): SimpleDBServiceError {
  const ErrorClass = byCode.get(code);
  return ErrorClass ? new ErrorClass(details) : new SimpleDBServiceError(code, details);
}

/**
 * An error status whose body is not an error document (a proxy or load balancer answered):
 * named after the status text, e.g. `BadGateway`, so a 503 still maps to ServiceUnavailable.
 */
export function errorFromStatus(httpStatusCode: number, body: string): SimpleDBServiceError {
  const reason = STATUS_CODES[httpStatusCode] ?? `Http${httpStatusCode}`;
  const code = reason.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase());
  const excerpt = body.trim().slice(0, 200);
  return createServiceError(code, { message: excerpt === '' ? reason : `${reason}: ${excerpt}`, httpStatusCode });
}

export interface TransportErrorDetails {
  cause: unknown;
  /** False only when the failure provably came before any byte of the request left (e.g. ECONNREFUSED). */
  requestMayHaveBeenSent: boolean;
}

/** The connection failed: refused, reset, closed mid-response, DNS. */
export class SimpleDBNetworkError extends SimpleDBError {
  override readonly name = 'SimpleDBNetworkError';
  /** The system or undici error code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`. */
  readonly code: string | undefined;
  readonly requestMayHaveBeenSent: boolean;

  constructor(message: string, details: TransportErrorDetails & { code: string | undefined }) {
    super(message, { cause: details.cause });
    this.code = details.code;
    this.requestMayHaveBeenSent = details.requestMayHaveBeenSent;
  }
}

/** No complete answer within `requestTimeout` (or undici's own header/body timeouts). */
export class SimpleDBTimeoutError extends SimpleDBError {
  override readonly name = 'SimpleDBTimeoutError';
  readonly requestMayHaveBeenSent: boolean;

  constructor(message: string, details: TransportErrorDetails) {
    super(message, { cause: details.cause });
    this.requestMayHaveBeenSent = details.requestMayHaveBeenSent;
  }
}

/**
 * No credentials to sign with: the standard chain found none, or the caller's provider failed.
 * Nothing was sent. `cause` is the provider's own error.
 */
export class SimpleDBCredentialsError extends SimpleDBError {
  override readonly name = 'CredentialsError';

  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

/**
 * A parameter the client cannot send as given: an object or a function where the service takes
 * text, or text with a lone surrogate, which UTF-8 cannot carry. Nothing was sent.
 */
export class SimpleDBParameterError extends SimpleDBError {
  override readonly name = 'ParameterError';

  constructor(
    readonly action: string,
    /** The wire name, e.g. `Attribute.1.Value`. */
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.$metadata = { attempts: 0, totalRetryDelay: 0 };
  }
}

/** The caller's `abortSignal` fired; `cause` is the signal's reason. */
export class SimpleDBAbortError extends SimpleDBError {
  override readonly name = 'AbortError';

  constructor(cause: unknown) {
    super('The request was aborted', { cause });
  }
}
