import type { ResponseMetadata } from './errors.js';
import type { QueryParam } from './signer.js';
import { asElement, children, childText, encodedText, type XmlElement, type XmlValue } from './xml.js';

// Shapes of the botocore service model (sdb 2009-04-15), PascalCase as on the wire.

export interface Attribute {
  Name: string;
  Value: string;
  /** 'base64' when the service sent the name base64-encoded; Name holds the decoded text. */
  AlternateNameEncoding?: string;
  /** 'base64' when the service sent the value base64-encoded; Value holds the decoded text. */
  AlternateValueEncoding?: string;
}

export interface ReplaceableAttribute {
  Name: string;
  Value: string;
  /** Replace every existing value of this name instead of adding one more. */
  Replace?: boolean;
}

/** DeleteAttributes: without Value, every value of the name is deleted. */
export interface DeletableAttribute {
  Name: string;
  Value?: string;
}

export interface ReplaceableItem {
  Name: string;
  Attributes: readonly ReplaceableAttribute[];
}

export interface DeletableItem {
  Name: string;
  /** Omitted: the whole item is deleted. */
  Attributes?: readonly DeletableAttribute[];
}

export interface Item {
  Name: string;
  AlternateNameEncoding?: string;
  Attributes: Attribute[];
}

/**
 * The condition of a conditional write. Spelled out as a union so that the caller always says
 * which test is meant: nothing is inferred from a value (the 2010 boto bug turned an expected
 * counter value of 0 into Exists=false).
 */
export type UpdateCondition =
  /** The attribute has exactly this single value. */
  | { Name: string; Value: string; Exists?: true }
  /** The attribute is absent. */
  | { Name: string; Exists: false; Value?: never };

export interface MetadataBearer {
  $metadata: ResponseMetadata;
}

/** What every output carries: SDK metadata and the service's BoxUsage (machine hours). */
export interface ServiceOutput extends MetadataBearer {
  BoxUsage?: number;
}

export interface CreateDomainCommandInput {
  DomainName: string;
}
export type CreateDomainCommandOutput = ServiceOutput;

export interface DeleteDomainCommandInput {
  DomainName: string;
}
export type DeleteDomainCommandOutput = ServiceOutput;

export interface ListDomainsCommandInput {
  /** 1..100, default 100. */
  MaxNumberOfDomains?: number;
  NextToken?: string;
}
export interface ListDomainsCommandOutput extends ServiceOutput {
  DomainNames?: string[];
  NextToken?: string;
}

export interface DomainMetadataCommandInput {
  DomainName: string;
}
export interface DomainMetadataCommandOutput extends ServiceOutput {
  ItemCount?: number;
  ItemNamesSizeBytes?: number;
  AttributeNameCount?: number;
  AttributeNamesSizeBytes?: number;
  AttributeValueCount?: number;
  AttributeValuesSizeBytes?: number;
  /** Unix epoch seconds when the service computed these figures. */
  Timestamp?: number;
}

export interface PutAttributesCommandInput {
  DomainName: string;
  ItemName: string;
  Attributes: readonly ReplaceableAttribute[];
  Expected?: UpdateCondition;
}
export type PutAttributesCommandOutput = ServiceOutput;

export interface BatchPutAttributesCommandInput {
  DomainName: string;
  Items: readonly ReplaceableItem[];
}
export type BatchPutAttributesCommandOutput = ServiceOutput;

export interface GetAttributesCommandInput {
  DomainName: string;
  ItemName: string;
  AttributeNames?: readonly string[];
  ConsistentRead?: boolean;
}
export interface GetAttributesCommandOutput extends ServiceOutput {
  /** Always set by this client; empty when the item does not exist. */
  Attributes?: Attribute[];
}

export interface DeleteAttributesCommandInput {
  DomainName: string;
  ItemName: string;
  /** Omitted: the whole item is deleted. */
  Attributes?: readonly DeletableAttribute[];
  Expected?: UpdateCondition;
}
export type DeleteAttributesCommandOutput = ServiceOutput;

export interface BatchDeleteAttributesCommandInput {
  DomainName: string;
  Items: readonly DeletableItem[];
}
export type BatchDeleteAttributesCommandOutput = ServiceOutput;

export interface SelectCommandInput {
  SelectExpression: string;
  NextToken?: string;
  ConsistentRead?: boolean;
}
export interface SelectCommandOutput extends ServiceOutput {
  /** Always set by this client; empty when nothing matched. */
  Items?: Item[];
  NextToken?: string;
}

export type ActionName =
  | 'CreateDomain'
  | 'DeleteDomain'
  | 'ListDomains'
  | 'DomainMetadata'
  | 'PutAttributes'
  | 'BatchPutAttributes'
  | 'GetAttributes'
  | 'DeleteAttributes'
  | 'BatchDeleteAttributes'
  | 'Select';

/**
 * A request to send with `client.send(command)`. The command turns its input into the action's
 * wire parameters and the `<{Action}Result>` element into its output.
 */
export abstract class SimpleDBCommand<Input extends object, Output extends ServiceOutput> {
  abstract readonly action: ActionName;

  constructor(readonly input: Input) {}

  /** The action's parameters, without the common ones (Action, Version, signature). */
  abstract serialize(): QueryParam[];

  abstract deserialize(result: XmlElement, common: ServiceOutput): Output;

  /**
   * A conditional write is not re-sent after an ambiguous failure: if the first attempt did
   * apply, a second one would be checked against the new state and fail or, worse, succeed twice.
   */
  get isConditionalWrite(): boolean {
    return false;
  }
}

/** Actions whose result has no members. */
abstract class NoResultCommand<Input extends object> extends SimpleDBCommand<Input, ServiceOutput> {
  deserialize(_result: XmlElement, common: ServiceOutput): ServiceOutput {
    return common;
  }
}

const bool = (b: boolean): string => (b ? 'true' : 'false');

function optional(name: string, value: string | undefined): QueryParam[] {
  return value === undefined ? [] : [[name, value]];
}

/** One-based `Prefix.N.Name/Value/Replace`, as botocore numbers lists. */
function attributeParams(prefix: string, attributes: readonly (ReplaceableAttribute | DeletableAttribute)[]): QueryParam[] {
  return attributes.flatMap((attribute, i) => {
    const at = `${prefix}.${i + 1}`;
    const replace = 'Replace' in attribute ? attribute.Replace : undefined;
    return [
      [`${at}.Name`, attribute.Name],
      ...optional(`${at}.Value`, attribute.Value),
      ...optional(`${at}.Replace`, replace === undefined ? undefined : bool(replace)),
    ];
  });
}

function itemParams(items: readonly (ReplaceableItem | DeletableItem)[]): QueryParam[] {
  return items.flatMap((item, i) => [
    [`Item.${i + 1}.ItemName`, item.Name] as const,
    ...attributeParams(`Item.${i + 1}.Attribute`, item.Attributes ?? []),
  ]);
}

/** `Expected.Name/Value/Exists`, each sent exactly when the caller wrote it. */
function expectedParams(expected: UpdateCondition | undefined): QueryParam[] {
  if (expected === undefined) return [];
  return [
    ['Expected.Name', expected.Name],
    ...optional('Expected.Value', expected.Value),
    ...optional('Expected.Exists', expected.Exists === undefined ? undefined : bool(expected.Exists)),
  ];
}

function consistentRead(value: boolean | undefined): QueryParam[] {
  return optional('ConsistentRead', value === undefined ? undefined : bool(value));
}

function decodeAttribute(value: XmlValue): Attribute {
  const element = asElement(value);
  const name = encodedText(children(element, 'Name')[0]);
  const data = encodedText(children(element, 'Value')[0]);
  return {
    Name: name.text,
    Value: data.text,
    ...(name.base64 && { AlternateNameEncoding: 'base64' }),
    ...(data.base64 && { AlternateValueEncoding: 'base64' }),
  };
}

function decodeItem(value: XmlValue): Item {
  const element = asElement(value);
  const name = encodedText(children(element, 'Name')[0]);
  return {
    Name: name.text,
    ...(name.base64 && { AlternateNameEncoding: 'base64' }),
    Attributes: children(element, 'Attribute').map(decodeAttribute),
  };
}

function nextToken(result: XmlElement): { NextToken?: string } {
  const token = childText(result, 'NextToken');
  return token === undefined || token === '' ? {} : { NextToken: token };
}

function integer(result: XmlElement, tag: string): number | undefined {
  const s = childText(result, tag);
  return s === undefined || s.trim() === '' ? undefined : Number(s);
}

export class CreateDomainCommand extends NoResultCommand<CreateDomainCommandInput> {
  readonly action = 'CreateDomain';
  serialize(): QueryParam[] {
    return [['DomainName', this.input.DomainName]];
  }
}

export class DeleteDomainCommand extends NoResultCommand<DeleteDomainCommandInput> {
  readonly action = 'DeleteDomain';
  serialize(): QueryParam[] {
    return [['DomainName', this.input.DomainName]];
  }
}

export class ListDomainsCommand extends SimpleDBCommand<ListDomainsCommandInput, ListDomainsCommandOutput> {
  readonly action = 'ListDomains';
  constructor(input: ListDomainsCommandInput = {}) {
    super(input);
  }
  serialize(): QueryParam[] {
    const max = this.input.MaxNumberOfDomains;
    return [
      ...optional('MaxNumberOfDomains', max === undefined ? undefined : String(max)),
      ...optional('NextToken', this.input.NextToken),
    ];
  }
  deserialize(result: XmlElement, common: ServiceOutput): ListDomainsCommandOutput {
    return {
      ...common,
      DomainNames: children(result, 'DomainName').map((name) => encodedText(name).text),
      ...nextToken(result),
    };
  }
}

export class DomainMetadataCommand extends SimpleDBCommand<DomainMetadataCommandInput, DomainMetadataCommandOutput> {
  readonly action = 'DomainMetadata';
  serialize(): QueryParam[] {
    return [['DomainName', this.input.DomainName]];
  }
  deserialize(result: XmlElement, common: ServiceOutput): DomainMetadataCommandOutput {
    return {
      ...common,
      ItemCount: integer(result, 'ItemCount'),
      ItemNamesSizeBytes: integer(result, 'ItemNamesSizeBytes'),
      AttributeNameCount: integer(result, 'AttributeNameCount'),
      AttributeNamesSizeBytes: integer(result, 'AttributeNamesSizeBytes'),
      AttributeValueCount: integer(result, 'AttributeValueCount'),
      AttributeValuesSizeBytes: integer(result, 'AttributeValuesSizeBytes'),
      Timestamp: integer(result, 'Timestamp'),
    };
  }
}

/** PutAttributes and DeleteAttributes: one item's attributes, optionally under a condition. */
abstract class ItemWriteCommand<
  Input extends PutAttributesCommandInput | DeleteAttributesCommandInput,
> extends NoResultCommand<Input> {
  serialize(): QueryParam[] {
    return [
      ['DomainName', this.input.DomainName],
      ['ItemName', this.input.ItemName],
      ...attributeParams('Attribute', this.input.Attributes ?? []),
      ...expectedParams(this.input.Expected),
    ];
  }
  override get isConditionalWrite(): boolean {
    return this.input.Expected !== undefined;
  }
}

/** BatchPutAttributes and BatchDeleteAttributes: several items, never conditional. */
abstract class BatchCommand<
  Input extends BatchPutAttributesCommandInput | BatchDeleteAttributesCommandInput,
> extends NoResultCommand<Input> {
  serialize(): QueryParam[] {
    return [['DomainName', this.input.DomainName], ...itemParams(this.input.Items)];
  }
}

export class PutAttributesCommand extends ItemWriteCommand<PutAttributesCommandInput> {
  readonly action = 'PutAttributes';
}

export class BatchPutAttributesCommand extends BatchCommand<BatchPutAttributesCommandInput> {
  readonly action = 'BatchPutAttributes';
}

export class GetAttributesCommand extends SimpleDBCommand<GetAttributesCommandInput, GetAttributesCommandOutput> {
  readonly action = 'GetAttributes';
  serialize(): QueryParam[] {
    return [
      ['DomainName', this.input.DomainName],
      ['ItemName', this.input.ItemName],
      ...(this.input.AttributeNames ?? []).map((name, i): QueryParam => [`AttributeName.${i + 1}`, name]),
      ...consistentRead(this.input.ConsistentRead),
    ];
  }
  deserialize(result: XmlElement, common: ServiceOutput): GetAttributesCommandOutput {
    return { ...common, Attributes: children(result, 'Attribute').map(decodeAttribute) };
  }
}

export class DeleteAttributesCommand extends ItemWriteCommand<DeleteAttributesCommandInput> {
  readonly action = 'DeleteAttributes';
}

export class BatchDeleteAttributesCommand extends BatchCommand<BatchDeleteAttributesCommandInput> {
  readonly action = 'BatchDeleteAttributes';
}

export class SelectCommand extends SimpleDBCommand<SelectCommandInput, SelectCommandOutput> {
  readonly action = 'Select';
  serialize(): QueryParam[] {
    return [
      ['SelectExpression', this.input.SelectExpression],
      ...optional('NextToken', this.input.NextToken),
      ...consistentRead(this.input.ConsistentRead),
    ];
  }
  deserialize(result: XmlElement, common: ServiceOutput): SelectCommandOutput {
    return { ...common, Items: children(result, 'Item').map(decodeItem), ...nextToken(result) };
  }
}
