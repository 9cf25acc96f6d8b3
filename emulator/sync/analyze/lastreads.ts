import { NumberColumn } from './column.js';
import { READ_BITS, type Place, type ReadOp } from './ops.js';

/**
 * Each client's last read of each item (and last Select of each domain), kept across windows
 * (index.ts, docs/analyze.md "Streaming") as columns indexed by a slot per item and client, not
 * as the read's objects: there are up to items × clients of them (100,000 in the bench), held
 * for the whole run, and every old-generation collection walked the object graph of each (the
 * operation, what it returned, the journal's record of that). A read is rebuilt as an operation
 * when a window asks for it, and those are let go when the window is settled.
 */

const NONE: readonly ReadOp[] = [];

export class LastReads {
  /**
   * By place (an item, or a domain for Selects; `Place.index`), then by client number
   * (`clients`): its slot. Arrays, not maps: the items × clients entries are held for the whole
   * run, and a place's number needs no hashing.
   */
  private readonly slots: ((number | undefined)[] | undefined)[] = [];
  /** ... and the place itself, by its index. */
  private readonly places: (Place | undefined)[] = [];
  /** Client name → its number. */
  private readonly clients = new Map<string, number>();
  // One entry per slot in each column. Numbers in columns outside the heap, and only what a read
  // holds beyond numbers in lists: the heap left after a full collection is what V8 lets it grow
  // to about four times of before the next, and per-slot lists of places, of the rare fields most
  // reads leave empty, and of the operations rebuilt were 2.4 MB of it in the bench.
  private readonly placeIndex = new NumberColumn();
  private readonly seq = new NumberColumn();
  private readonly order = new NumberColumn();
  /** NaN: none. */
  private readonly asOfSeq = new NumberColumn();
  /** identity × READ_BITS + the read's bits: one column for both. */
  private readonly identityBits = new NumberColumn();
  /** By slot, for the few reads that have one. */
  private readonly rare = new Map<number, NonNullable<ReadOp['rare']>>();
  private readonly shown: ReadOp['shown'][] = [];
  private readonly value: ReadOp['value'][] = [];
  /**
   * By slot, where the operation rebuilt for the window being analysed is in `rebuilt` (plus
   * one; 0: none). Kept from window to window, reset slot by slot: a map of tens of thousands of
   * entries, made again each window, grew through a table over 128 KB at each doubling, each one
   * mapped from the system and given back at the next full collection.
   */
  private readonly rebuiltAt = new NumberColumn();
  /**
   * The operations rebuilt, the first `rebuiltCount`; the rest emptied, not cut off: a list of
   * their length made again each window went through the large-object space as it grew.
   */
  private readonly rebuilt: (ReadOp | undefined)[] = [];
  private rebuiltCount = 0;
  private readonly rebuiltSlots: number[] = [];
  /** ... and as a list of that one read, made once per window when asked for (`alone`), at the same position. */
  private readonly lists: (readonly ReadOp[] | undefined)[] = [];

  /** How many are kept: one per item (or domain) and client that read it. */
  get size(): number {
    return this.seq.length;
  }

  /** Keeps `op` as `client`'s last read of its key, unless the one kept took effect after it. */
  offer(client: string, op: ReadOp): void {
    const index = op.place.index;
    // Grown an element at a time: an element stored far past the end turns an array into a dictionary.
    while (this.slots.length <= index) {
      this.slots.push(undefined);
      this.places.push(undefined);
    }
    let slots = this.slots[index];
    if (!slots) {
      this.slots[index] = slots = [];
      this.places[index] = op.place;
    }
    let number = this.clients.get(client);
    if (number === undefined) this.clients.set(client, (number = this.clients.size));
    let slot = slots[number];
    if (slot === undefined) {
      slot = this.seq.length;
      slots[number] = slot;
      this.placeIndex.push(index);
      this.seq.push(0);
      this.order.push(0);
      this.asOfSeq.push(Number.NaN);
      this.identityBits.push(0);
      this.shown.push(undefined);
      this.value.push(undefined);
      this.rebuiltAt.push(0);
    } else if (this.order.at(slot) >= op.order) return;
    this.rebuiltAt.set(slot, 0);
    this.seq.set(slot, op.seq);
    this.order.set(slot, op.order);
    this.asOfSeq.set(slot, op.asOfSeq ?? Number.NaN);
    this.identityBits.set(slot, op.identity * READ_BITS + op.bits);
    if (op.rare) this.rare.set(slot, op.rare);
    else if (this.rare.size > 0) this.rare.delete(slot);
    this.shown[slot] = op.shown;
    this.value[slot] = op.value;
  }

  /** `client`'s last read of the place kept, as an operation (the same one until `release`). */
  get(place: Place, client: string): ReadOp | undefined {
    const slot = this.slotOf(place, client);
    return slot === undefined ? undefined : (this.rebuilt[this.at(slot)] as ReadOp);
  }

  /** `client`'s last read of the place kept, as a list of it alone (the same list until `release`); empty when none is kept. */
  alone(place: Place, client: string): readonly ReadOp[] {
    const slot = this.slotOf(place, client);
    if (slot === undefined) return NONE;
    const at = this.at(slot);
    let list = this.lists[at];
    if (!list) this.lists[at] = list = [this.rebuilt[at] as ReadOp];
    return list;
  }

  private slotOf(place: Place, client: string): number | undefined {
    const number = this.clients.get(client);
    return number === undefined ? undefined : this.slots[place.index]?.[number];
  }

  /** Where the slot's operation is in `rebuilt`, rebuilt first when it is not there yet. */
  private at(slot: number): number {
    const known = this.rebuiltAt.at(slot);
    if (known > 0) return known - 1;
    const at = this.rebuiltCount++;
    if (at === this.rebuilt.length) {
      this.rebuilt.push(undefined);
      this.lists.push(undefined);
    }
    this.rebuilt[at] = this.rebuild(slot);
    this.rebuiltSlots.push(slot);
    this.rebuiltAt.set(slot, at + 1);
    return at;
  }

  /** Lets go of the operations rebuilt: the window that asked for them is settled. */
  release(): void {
    for (let i = 0; i < this.rebuiltSlots.length; i++) this.rebuiltAt.set(this.rebuiltSlots[i] as number, 0);
    this.rebuiltSlots.length = 0;
    for (let i = 0; i < this.rebuiltCount; i++) {
      this.rebuilt[i] = undefined;
      this.lists[i] = undefined;
    }
    this.rebuiltCount = 0;
  }

  private rebuild(slot: number): ReadOp {
    const asOfSeq = this.asOfSeq.at(slot);
    const identityBits = this.identityBits.at(slot);
    const bits = identityBits % READ_BITS;
    // The same fields in the same order as `readOp` makes them: one shape for every read.
    return {
      kind: 'read',
      seq: this.seq.at(slot),
      order: this.order.at(slot),
      identity: (identityBits - bits) / READ_BITS,
      place: this.places[this.placeIndex.at(slot)] as Place,
      asOfSeq: Number.isNaN(asOfSeq) ? undefined : asOfSeq,
      bits,
      rare: this.rare.size === 0 ? undefined : this.rare.get(slot),
      shown: this.shown[slot],
      value: this.value[slot],
    };
  }
}
