import { NumberColumn } from './column.js';
import { ReturnedItems, type ReadOp } from './ops.js';

/**
 * Each client's last read of each item (and last Select of each domain), kept across windows
 * (index.ts, docs/analyze.md "Streaming") as columns indexed by a slot per item and client, not
 * as the read's objects: there are up to items × clients of them (100,000 in the bench), held
 * for the whole run, and every old-generation collection walked the object graph of each (the
 * operation, what it returned, the journal's record of that). A read is rebuilt as an operation
 * when a window asks for it, and those are let go when the window is settled.
 */

/** What the reads of one key (an item, or a domain for Selects) share. */
interface Place {
  account: string;
  domain: string;
  item: string | undefined;
  key: string;
  /** By client number (`LastReads.clients`): its slot. An array, not a map per item: the items × clients entries are held for the whole run. */
  slots: (number | undefined)[];
}

/** What few reads have: kept in one column, most slots none. */
interface Rare {
  operation: string | undefined;
  attributes: ReadonlySet<string> | undefined;
  predicate: ReadonlySet<string> | undefined;
}

const STALE = 1;
const PARTIAL = 2;
/** It returned one item, its own, with one attribute of one value: `attribute` and `value` hold it. */
const ONE_VALUE = 4;
/** The flags share a number with the identity: identity × FLAGS + flags. */
const FLAGS = 8;

export class LastReads {
  private readonly places = new Map<string, Place>();
  /** Client name → its number. */
  private readonly clients = new Map<string, number>();
  // One entry per slot in each column.
  private readonly place: Place[] = [];
  private readonly seq = new NumberColumn();
  private readonly order = new NumberColumn();
  /** NaN: none. */
  private readonly asOfSeq = new NumberColumn();
  /** identity × FLAGS + flags. */
  private readonly identityFlags = new NumberColumn();
  private readonly rare: (Rare | undefined)[] = [];
  /** ONE_VALUE: the attribute's name and its value; otherwise what it returned as the operation held it. */
  private readonly attribute: (string | undefined)[] = [];
  private readonly value: (string | ReturnedItems | undefined)[] = [];
  /** The operations rebuilt for the window being analysed. */
  private readonly rebuilt = new Map<number, ReadOp>();

  constructor(private readonly run: number) {}

  /** How many are kept: one per item (or domain) and client that read it. */
  get size(): number {
    return this.seq.length;
  }

  /** Keeps `op` as `client`'s last read of its key, unless the one kept took effect after it. */
  offer(client: string, op: ReadOp): void {
    let place = this.places.get(op.key);
    if (!place) {
      place = { account: op.account, domain: op.domain, item: op.item, key: op.key, slots: [] };
      this.places.set(op.key, place);
    }
    let number = this.clients.get(client);
    if (number === undefined) this.clients.set(client, (number = this.clients.size));
    let slot = place.slots[number];
    if (slot === undefined) {
      slot = this.seq.length;
      place.slots[number] = slot;
      this.place.push(place);
      this.seq.push(0);
      this.order.push(0);
      this.asOfSeq.push(Number.NaN);
      this.identityFlags.push(0);
      this.rare.push(undefined);
      this.attribute.push(undefined);
      this.value.push(undefined);
    } else if (this.order.at(slot) >= op.order) return;
    this.rebuilt.delete(slot);
    this.seq.set(slot, op.seq);
    this.order.set(slot, op.order);
    this.asOfSeq.set(slot, op.asOfSeq ?? Number.NaN);
    const { operation, attributes, predicate } = op;
    this.rare[slot] = operation === undefined && attributes === undefined && predicate === undefined ? undefined : { operation, attributes, predicate };
    let flags = (op.stale ? STALE : 0) | (op.partial ? PARTIAL : 0);
    const one = op.returned?.single();
    if (one && one.name === op.item) {
      flags |= ONE_VALUE;
      this.attribute[slot] = one.attribute;
      this.value[slot] = one.value;
    } else {
      this.attribute[slot] = undefined;
      this.value[slot] = op.returned;
    }
    this.identityFlags.set(slot, op.identity * FLAGS + flags);
  }

  /** `client`'s last read of `key` kept, as an operation (the same one until `release`). */
  get(key: string, client: string): ReadOp | undefined {
    const number = this.clients.get(client);
    const slot = number === undefined ? undefined : this.places.get(key)?.slots[number];
    if (slot === undefined) return undefined;
    let op = this.rebuilt.get(slot);
    if (!op) this.rebuilt.set(slot, (op = this.rebuild(slot)));
    return op;
  }

  /** Lets go of the operations rebuilt: the window that asked for them is settled. */
  release(): void {
    this.rebuilt.clear();
  }

  private rebuild(slot: number): ReadOp {
    const place = this.place[slot] as Place;
    const identityFlags = this.identityFlags.at(slot);
    const flags = identityFlags % FLAGS;
    const rare = this.rare[slot];
    const asOfSeq = this.asOfSeq.at(slot);
    const value = this.value[slot];
    let returned: ReturnedItems | undefined;
    if (flags & ONE_VALUE) returned = new ReturnedItems({ name: place.item as string, attribute: this.attribute[slot] as string, value: value as string });
    else returned = value as ReturnedItems | undefined;
    // The same fields in the same order as `toOp` builds a read: one shape for every read.
    return {
      kind: 'read',
      seq: this.seq.at(slot),
      order: this.order.at(slot),
      identity: (identityFlags - flags) / FLAGS,
      run: this.run,
      account: place.account,
      operation: rare?.operation,
      action: place.item === undefined ? 'Select' : 'GetAttributes',
      domain: place.domain,
      item: place.item,
      key: place.key,
      attributes: rare?.attributes,
      stale: (flags & STALE) !== 0,
      asOfSeq: Number.isNaN(asOfSeq) ? undefined : asOfSeq,
      returned,
      partial: (flags & PARTIAL) !== 0,
      predicate: rare?.predicate,
    };
  }
}
