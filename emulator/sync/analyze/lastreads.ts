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

/** A place's readers scanned before a map finds them: the bench's items are read by up to 50 clients. */
const SCANNED = 64;

export class LastReads {
  /**
   * By place (an item, or a domain for Selects; `Place.index`): its readers' slots, as client
   * number (`clients`) and slot side by side, scanned, while it has SCANNED readers or fewer; then
   * a map. Held for the whole run: a list indexed by the client number took room for every client
   * numbered before, per place, and a journal that writes each item once (a log of events) read
   * by one client of fifty took 400 bytes per item for it.
   */
  private readonly slots: (number[] | Map<number, number> | undefined)[] = [];
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
    if (this.slots[index] === undefined) this.places[index] = op.place;
    let number = this.clients.get(client);
    if (number === undefined) this.clients.set(client, (number = this.clients.size));
    let slot = this.slotAt(index, number);
    if (slot === undefined) {
      slot = this.seq.length;
      this.addSlot(index, number, slot);
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
    return number === undefined ? undefined : this.slotAt(place.index, number);
  }

  private slotAt(place: number, client: number): number | undefined {
    const readers = this.slots[place];
    if (readers === undefined || !Array.isArray(readers)) return readers?.get(client);
    for (let i = 0; i < readers.length; i += 2) if (readers[i] === client) return readers[i + 1];
    return undefined;
  }

  private addSlot(place: number, client: number, slot: number): void {
    const readers = this.slots[place];
    // Each list made at its length: a push past the end reserves room for half as many again and sixteen more.
    if (readers === undefined) this.slots[place] = [client, slot];
    else if (!Array.isArray(readers)) readers.set(client, slot);
    else if (readers.length < 2 * SCANNED) this.slots[place] = readers.concat(client, slot);
    else {
      const map = new Map<number, number>();
      for (let i = 0; i < readers.length; i += 2) map.set(readers[i] as number, readers[i + 1] as number);
      map.set(client, slot);
      this.slots[place] = map;
    }
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
