import { actions } from '../actions/index.js';
import type { RequestReading } from '../actions/readers.js';
import { BASE_BOX_USAGE, formatBoxUsage, type ActionName } from '../core/boxUsage.js';
import { errors, type SdbError } from '../core/errors.js';
import { ControlInputError, integer, optionalString, record, settingError } from '../core/input.js';
import { deriveSeed, DrawCounter, keyedDraw } from './random.js';
import type { FaultRule, FaultRuleInput, LoseResponse } from '../core/wire.js';

export type { FaultRule, FaultRuleInput, LoseResponse };

/** What a fault rule can match and what an injected error's message quotes. */
export interface RequestFacts {
  method: string;
  path: string;
  action: ActionName;
  /** The request as its action reads it (actions/readers.ts). */
  request: RequestReading | undefined;
  version: string | undefined;
  timestamp: string | undefined;
  domain: string | undefined;
  /** ItemName, or every Item.N.ItemName of a batch. */
  items: readonly string[];
  /** The largest request line the server takes (URITooLong quotes it). */
  maxUriBytes: number;
  /** Who sends it about what (client and item): a rule's probability draws are keyed by it. */
  drawKey: string;
}

function expectedName(r: RequestFacts): string {
  const q = r.request;
  if (q?.action !== 'PutAttributes' && q?.action !== 'DeleteAttributes') return '';
  return q.expected[0]?.name ?? q.attributes[0]?.name ?? '';
}
const selectTimeout = (r: RequestFacts) =>
  [r.domain ?? '', r.request?.action === 'Select' ? (r.request.expression ?? '') : '', formatBoxUsage(BASE_BOX_USAGE[r.action])] as const;

/**
 * Every code of the Amazon SimpleDB Developer Guide's "API Error Codes" table, built by its factory with
 * its real status and message; placeholders are filled from the request where it has them.
 */
const INJECTABLE: Readonly<Record<string, (r: RequestFacts) => SdbError>> = {
  AccessFailure: (r) => errors.accessFailure(r.domain ?? r.action),
  AttributeDoesNotExist: (r) => errors.attributeDoesNotExist(expectedName(r)),
  AuthFailure: () => errors.authFailure(),
  AuthMissingFailure: () => errors.authMissingFailure(),
  AuthorizationFailure: (r) => errors.authorizationFailure(r.action, 'us-east-1', '000000000000', r.domain ?? ''),
  ConditionalCheckFailed: (r) => errors.conditionalValueExists(expectedName(r)),
  DuplicateItemName: (r) => errors.duplicateItemName(r.items[0] ?? ''),
  ExistsAndExpectedValue: () => errors.existsAndExpectedValue(),
  FeatureDeprecated: () => errors.featureDeprecated(),
  IncompleteExpectedExpression: () => errors.incompleteExpectedExpression(),
  IncompleteSignature: () => errors.incompleteSignature(),
  InternalError: () => errors.internalError(),
  InvalidAction: (r) => errors.invalidAction(r.action),
  InvalidClientTokenId: () => errors.invalidClientTokenId(),
  InvalidHTTPAuthHeader: () => errors.invalidHttpAuthHeader('AWS <AWSAccessKeyId>:<Signature>'),
  InvalidHttpRequest: () => errors.invalidHttpRequest('injected fault'),
  InvalidLiteral: () => errors.invalidLiteral(),
  InvalidNextToken: () => errors.invalidNextToken(),
  InvalidNumberPredicates: () => errors.invalidNumberPredicates(),
  InvalidNumberValueTests: () => errors.invalidNumberValueTests(),
  InvalidParameterCombination: () => errors.invalidParameterCombination('Timestamp', 'Expires'),
  InvalidParameterValue: (r) => errors.invalidParameterValue('DomainName', r.domain ?? ''),
  InvalidQueryExpression: () => errors.invalidQueryExpression(),
  InvalidResponseGroups: () => errors.invalidResponseGroups('injected fault'),
  InvalidService: () => errors.invalidService('AmazonSimpleDB'),
  InvalidSOAPRequest: () => errors.invalidSoapRequest('injected fault'),
  InvalidSortExpression: () => errors.invalidSortExpression(),
  InvalidURI: (r) => errors.invalidUri(r.path),
  InvalidWSAddressingProperty: () => errors.invalidWsAddressingProperty('To', ''),
  InvalidWSDLVersion: () => errors.invalidWsdlVersion('ConsistentRead'),
  MalformedSOAPSignature: () => errors.malformedSoapSignature('injected fault'),
  MissingAction: () => errors.missingAction(),
  MissingParameter: () => errors.missingParameter('DomainName'),
  MissingWSAddressingProperty: () => errors.missingWsAddressingProperty('To'),
  MultipleExistsConditions: () => errors.multipleExistsConditions(),
  MultipleExpectedNames: () => errors.multipleExpectedNames(),
  MultipleExpectedValues: () => errors.multipleExpectedValues(),
  MultiValuedAttribute: (r) => errors.multiValuedAttribute(expectedName(r)),
  NoSuchDomain: () => errors.noSuchDomain(),
  NoSuchVersion: (r) => errors.noSuchVersion(r.version ?? '2009-04-15'),
  NotYetImplemented: (r) => errors.notYetImplemented(r.action),
  NumberDomainAttributesExceeded: () => errors.numberDomainAttributesExceeded(),
  NumberDomainBytesExceeded: () => errors.numberDomainBytesExceeded(),
  NumberDomainsExceeded: () => errors.numberDomainsExceeded(),
  NumberItemAttributesExceeded: () => errors.numberItemAttributesExceeded(),
  NumberSubmittedAttributesExceeded: () => errors.numberSubmittedAttributesExceeded(),
  NumberSubmittedItemsExceeded: () => errors.numberSubmittedItemsExceeded(),
  QueryTimeout: (r) => errors.queryTimeout(...selectTimeout(r)),
  RequestExpired: (r) => errors.requestExpired('Timestamp', r.timestamp ?? ''),
  RequestTimeout: (r) => errors.requestTimeout(...selectTimeout(r)),
  ServiceUnavailable: () => errors.serviceUnavailable(),
  SignatureDoesNotMatch: () => errors.signatureDoesNotMatch(),
  TooManyRequestedAttributes: () => errors.tooManyRequestedAttributes(),
  UnsupportedHttpVerb: (r) => errors.unsupportedHttpVerb(r.method),
  UnsupportedNextToken: () => errors.unsupportedNextToken(),
  URITooLong: (r) => errors.uriTooLong(r.maxUriBytes),
};


/** What the rules decided for one request. */
export interface FaultDecision {
  delayBeforeMs: number;
  delayAfterMs: number;
  error?: SdbError;
  loseResponse?: LoseResponse;
  /** The rules that fired, with their effect, for the journal. */
  readonly fired: readonly { rule: string; effect: string }[];
}

/** The decision without rules, shared: nothing reads it but to act on it. */
const NO_FAULTS: FaultDecision = Object.freeze({ delayBeforeMs: 0, delayAfterMs: 0, fired: Object.freeze([]) });

const RULE_KEYS = new Set([
  'action', 'domain', 'item', 'error', 'delayMs', 'phase', 'loseResponse', 'count', 'skip', 'probability', 'seed',
]);

/** Checks a rule from JSON or code: unknown keys are refused, so a typo cannot silently match everything. */
export function parseFaultRule(value: unknown): FaultRuleInput {
  const o = record(value, 'a fault rule', RULE_KEYS);
  const rule: FaultRuleInput = {};
  const action = optionalString(o, 'action');
  if (action !== undefined) {
    if (!actions.has(action)) throw settingError('action', `not a SimpleDB action: ${action}`);
    rule.action = action;
  }
  const domain = optionalString(o, 'domain');
  if (domain !== undefined) rule.domain = domain;
  const item = optionalString(o, 'item');
  if (item !== undefined) rule.item = item;
  const effects = ['error', 'delayMs', 'loseResponse'].filter((k) => o[k] !== undefined);
  if (effects.length !== 1) throw new ControlInputError('a fault rule needs exactly one of error, delayMs, loseResponse');
  const error = optionalString(o, 'error');
  if (error !== undefined) {
    if (!Object.hasOwn(INJECTABLE, error)) throw settingError('error', `not a code of the error table: ${error}`);
    rule.error = error;
  }
  const delayMs = integer(o, 'delayMs', 0, 600_000);
  if (delayMs !== undefined) rule.delayMs = delayMs;
  const phase = optionalString(o, 'phase');
  if (phase !== undefined) {
    if (phase !== 'before' && phase !== 'after') throw settingError('phase', 'before or after');
    if (delayMs === undefined) throw settingError('phase', 'only with delayMs');
    rule.phase = phase;
  }
  const lose = optionalString(o, 'loseResponse');
  if (lose !== undefined) {
    if (lose !== 'reset' && lose !== '503') throw settingError('loseResponse', 'reset or 503');
    rule.loseResponse = lose;
  }
  const count = integer(o, 'count', 1, Number.MAX_SAFE_INTEGER);
  if (count !== undefined) rule.count = count;
  const skip = integer(o, 'skip', 0, Number.MAX_SAFE_INTEGER);
  if (skip !== undefined) rule.skip = skip;
  if (o.probability !== undefined) {
    const p = o.probability;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw settingError('probability', 'a number from 0 to 1');
    rule.probability = p;
  }
  const seed = integer(o, 'seed', 0, 2 ** 32 - 1);
  if (seed !== undefined) rule.seed = seed;
  return rule;
}

interface ActiveRule {
  rule: FaultRule;
  item: RegExp | undefined;
  seed: number;
  draws: DrawCounter;
}

function itemPattern(glob: string): RegExp {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${source}$`, 's');
}

/** The fault rules, in the order they were added; none by default. */
export class Faults {
  private rules: ActiveRule[] = [];
  private added = 0;

  /** `runSeed` gives rules without their own seed a stream each. */
  constructor(private readonly runSeed: () => number) {}

  add(input: FaultRuleInput): FaultRule {
    const checked = parseFaultRule(input);
    const number = ++this.added;
    const rule: FaultRule = { id: `f${number}`, ...checked, matched: 0, fired: 0 };
    this.rules.push({
      rule,
      item: checked.item === undefined ? undefined : itemPattern(checked.item),
      seed: checked.seed ?? deriveSeed(this.runSeed(), number),
      draws: new DrawCounter(),
    });
    return { ...rule };
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r.rule }));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.rule.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * Evaluates the rules in order: delays add up; the first error or lost response that fires
   * ends the evaluation, so later rules neither fire nor spend their count.
   */
  decide(facts: () => RequestFacts): FaultDecision {
    // The facts are gathered only when a rule may read them: most emulators run with none.
    if (this.rules.length === 0) return NO_FAULTS;
    const r = facts();
    const fired: { rule: string; effect: string }[] = [];
    const d: FaultDecision = { delayBeforeMs: 0, delayAfterMs: 0, fired };
    for (const { rule, item, seed, draws } of this.rules) {
      if (rule.action !== undefined && rule.action !== r.action) continue;
      if (rule.domain !== undefined && rule.domain !== r.domain) continue;
      if (item && !r.items.some((name) => item.test(name))) continue;
      rule.matched++;
      if (rule.count !== undefined && rule.fired >= rule.count) continue;
      if (rule.matched <= (rule.skip ?? 0)) continue;
      if (rule.probability !== undefined && keyedDraw(seed, r.drawKey, draws.next(r.drawKey)) >= rule.probability) continue;
      rule.fired++;
      if (rule.error !== undefined) {
        d.error = (INJECTABLE[rule.error] ?? errors.internalError)(r);
        fired.push({ rule: rule.id, effect: `error:${rule.error}` });
        return d;
      }
      if (rule.loseResponse !== undefined) {
        d.loseResponse = rule.loseResponse;
        fired.push({ rule: rule.id, effect: `loseResponse:${rule.loseResponse}` });
        return d;
      }
      const ms = rule.delayMs ?? 0;
      if (rule.phase === 'after') d.delayAfterMs += ms;
      else d.delayBeforeMs += ms;
      fired.push({ rule: rule.id, effect: `delay:${rule.phase ?? 'before'}:${ms}` });
    }
    return d;
  }
}
