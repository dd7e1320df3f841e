/**
 * The hash of the name text[start, end): h = h·31 + c over its characters, then mixed (the
 * finalizer of MurmurHash3) so that every character reaches the low bits that pick a slot — short
 * names alone would otherwise crowd the first slots.
 */
export function hashName(text: string, start = 0, end = text.length): number {
  let h = 0;
  for (let i = start; i < end; i++) h = hashStep(h, text.charCodeAt(i));
  return finishHash(h);
}

/** One character into `hashName`'s running hash (for scanners that hash a name while reading it). */
export const hashStep = (h: number, c: number) => (Math.imul(h, 31) + c) | 0;

/** The running hash of a whole name mixed into `hashName`'s value. */
export function finishHash(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A table from names to non-negative integers (variables, op codes), read as a `ReadonlyMap` by
 * everyone and filled straight from source text by parsers: `intern(text, start, end, hash)`
 * finds or adds the name text[start, end) without cutting a string out of the text.
 *
 * Built for 10⁶–10⁷ names: no object and no string per name. The characters of every name sit in
 * one growable Uint16Array (entry e's are chars[keyStart[e] … keyStart[e + 1])), the slots are
 * (hash, entry + 1) pairs in an Int32Array probed linearly and kept at most half full, so a look-up
 * reads one slot in the common case, compares a few characters and allocates nothing. A name is
 * made a string only when asked for (`nameOf`, iteration).
 *
 * Entries are numbered 0, 1, … in order of first appearance and never removed. An entry may stay
 * unbound (value −1: a name seen but not yet defined, such as a forward reference); only bound
 * entries are visible as a map, in the order they were bound (as a Map iterates in insertion order).
 */
export class NameTable implements ReadonlyMap<string, number> {
  /** Pairs (hash, entry + 1); entry + 1 = 0 marks an empty slot. Length 2·(mask + 1), a power of two. */
  private slots: Int32Array;
  private mask: number;
  private chars: Uint16Array;
  /** Entry e's characters are chars[keyStart[e] … keyStart[e + 1]). */
  private keyStart: Int32Array;
  /** The value of each entry, −1 while unbound. */
  private bound: Int32Array;
  /** Bound entries in the order they were bound. */
  private order: Int32Array;
  private entryCount = 0;
  private boundCount = 0;

  /** `capacity`: names expected (the table grows past it). */
  constructor(capacity = 16) {
    let slots = 16;
    while (slots < 2 * capacity) slots *= 2;
    this.slots = new Int32Array(2 * slots);
    this.mask = slots - 1;
    const entries = Math.max(8, capacity);
    this.chars = new Uint16Array(8 * entries);
    this.keyStart = new Int32Array(entries + 1);
    this.bound = new Int32Array(entries);
    this.order = new Int32Array(entries);
  }

  /** Makes room for `count` names in all, so that filling the table up to them never rehashes. */
  reserve(count: number): void {
    if (count > this.bound.length) {
      this.bound = grow(this.bound, count);
      this.order = grow(this.order, count);
      this.keyStart = grow(this.keyStart, count + 1);
    }
    if (2 * count <= this.mask + 1) return;
    while (2 * count > this.mask + 1) this.mask = 2 * this.mask + 1;
    const old = this.slots;
    this.slots = new Int32Array(2 * (this.mask + 1));
    this.enter(old);
  }

  /** The entry of the name text[start, end), whose `hashName` is `hash`; added unbound when new. */
  intern(text: string, start: number, end: number, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const e = slots[2 * s + 1] - 1;
      if (e < 0) return this.add(text, start, end, hash, s);
      if (slots[2 * s] === hash && this.matches(e, text, start, end)) return e;
    }
  }

  /** The entry of a name, or −1 when the table has never seen it. */
  find(name: string): number {
    if (typeof name !== 'string') return -1; // as a Map answers get(5): no such name
    const hash = hashName(name);
    const slots = this.slots;
    const mask = this.mask;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const e = slots[2 * s + 1] - 1;
      if (e < 0) return -1;
      if (slots[2 * s] === hash && this.matches(e, name, 0, name.length)) return e;
    }
  }

  /** The name of an entry, as a new string. */
  nameOf(entry: number): string {
    const from = this.keyStart[entry];
    const to = this.keyStart[entry + 1];
    let name = '';
    // In chunks, so a long name does not exceed the engine's limit on arguments.
    for (let k = from; k < to; k += 4096)
      name += String.fromCharCode.apply(null, this.chars.subarray(k, Math.min(to, k + 4096)) as unknown as number[]);
    return name;
  }

  /** The value of an entry, −1 while unbound. */
  valueOf(entry: number): number {
    return this.bound[entry];
  }

  /** Number of entries, bound or not (entries are 0 … count − 1). */
  get count(): number {
    return this.entryCount;
  }

  /** Gives an unbound entry its value (a non-negative integer); a bound entry keeps its own. */
  bind(entry: number, value: number): void {
    // Checked, since an Int32Array would store NaN or 0.5 as 0 without a word.
    if (!(Number.isInteger(value) && value >= 0 && value < 2 ** 31))
      throw new RangeError(`NameTable: ${value} is not a non-negative 32-bit integer`);
    if (this.bound[entry] >= 0) return;
    this.bound[entry] = value;
    this.order[this.boundCount++] = entry;
  }

  /** Binds a name given as a string (added when new). */
  set(name: string, value: number): this {
    this.bind(this.intern(name, 0, name.length, hashName(name)), value);
    return this;
  }

  /** An independent copy (the builder's copy on write), with every bound value v replaced by renumber(v) when given. */
  copy(renumber?: (value: number) => number): NameTable {
    const c = new NameTable(0);
    c.slots = this.slots.slice();
    c.mask = this.mask;
    c.chars = this.chars.slice();
    c.keyStart = this.keyStart.slice();
    c.bound = this.bound.slice();
    c.order = this.order.slice();
    c.entryCount = this.entryCount;
    c.boundCount = this.boundCount;
    if (renumber) for (let k = 0; k < c.boundCount; k++) c.bound[c.order[k]] = renumber(c.bound[c.order[k]]);
    return c;
  }

  // ReadonlyMap: the bound entries.

  get size(): number {
    return this.boundCount;
  }

  get(name: string): number | undefined {
    const e = this.find(name);
    return e < 0 || this.bound[e] < 0 ? undefined : this.bound[e];
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  *entries(): MapIterator<[string, number]> {
    for (let k = 0; k < this.boundCount; k++) yield [this.nameOf(this.order[k]), this.bound[this.order[k]]];
  }

  *keys(): MapIterator<string> {
    for (let k = 0; k < this.boundCount; k++) yield this.nameOf(this.order[k]);
  }

  *values(): MapIterator<number> {
    for (let k = 0; k < this.boundCount; k++) yield this.bound[this.order[k]];
  }

  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }

  forEach(callback: (value: number, key: string, map: ReadonlyMap<string, number>) => void, thisArg?: unknown): void {
    for (let k = 0; k < this.boundCount; k++)
      callback.call(thisArg, this.bound[this.order[k]], this.nameOf(this.order[k]), this);
  }

  get [Symbol.toStringTag](): string {
    return 'NameTable';
  }

  /** True when entry e's name is text[start, end). */
  private matches(e: number, text: string, start: number, end: number): boolean {
    const from = this.keyStart[e];
    if (this.keyStart[e + 1] - from !== end - start) return false;
    const chars = this.chars;
    for (let k = 0; k < end - start; k++) if (chars[from + k] !== text.charCodeAt(start + k)) return false;
    return true;
  }

  private add(text: string, start: number, end: number, hash: number, slot: number): number {
    const e = this.entryCount++;
    if (e === this.bound.length) {
      this.bound = grow(this.bound, 2 * e);
      this.order = grow(this.order, 2 * e);
      this.keyStart = grow(this.keyStart, 2 * e + 1);
    }
    const from = this.keyStart[e];
    const to = from + end - start;
    if (to > this.chars.length) {
      const bigger = new Uint16Array(Math.max(2 * this.chars.length, to));
      bigger.set(this.chars);
      this.chars = bigger;
    }
    for (let k = from; k < to; k++) this.chars[k] = text.charCodeAt(start + k - from);
    this.keyStart[e + 1] = to;
    this.bound[e] = -1;
    this.slots[2 * slot] = hash;
    this.slots[2 * slot + 1] = e + 1;
    if (2 * this.entryCount > this.mask + 1) this.rehash();
    return e;
  }

  /** Doubles the slots and re-enters every entry by its stored hash. */
  private rehash(): void {
    const old = this.slots;
    this.mask = 2 * this.mask + 1;
    this.slots = new Int32Array(2 * (this.mask + 1));
    this.enter(old);
  }

  /** Enters the occupied slots of `old` into the (empty, larger) slots. */
  private enter(old: Int32Array): void {
    for (let s = 0; s < old.length; s += 2) {
      if (old[s + 1] === 0) continue;
      let t = old[s] & this.mask;
      while (this.slots[2 * t + 1] !== 0) t = (t + 1) & this.mask;
      this.slots[2 * t] = old[s];
      this.slots[2 * t + 1] = old[s + 1];
    }
  }
}

function grow(array: Int32Array, length: number): Int32Array {
  const bigger = new Int32Array(length);
  bigger.set(array);
  return bigger;
}
