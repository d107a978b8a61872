/**
 * Counting users, items and distinct (user, item) pairs of a ratings file in
 * bounded memory. Ids are numbered and pairs kept as two numbers in
 * a flat hash table (8 bytes each), which is fast as well as small. Counts
 * are exact until there are more than `limits.ids` distinct ids (about 80
 * bytes each) or `limits.pairs` pairs; past that they are HyperLogLog
 * estimates, and single-interaction users are estimated from a 1-in-64 hash
 * sample of users.
 */
import { hash32, HyperLogLog } from './hyperloglog.js';

/** About 300 MB at most: 2M ids in Maps and a 2^24-slot pair table. */
export const EXACT_LIMITS = { ids: 2_000_000, pairs: 8_000_000 };
const SAMPLE_MASK = 63;
const EMPTY = 0xffffffff;
/** V8 copies shorter substrings; longer ones would pin a whole 1 MB chunk. */
const SLICE_MIN_LENGTH = 13;

export interface InteractionTotals {
  users: number;
  items: number;
  interactions: number;
  duplicates: number;
  singleInteractionUsers: number;
  /** Whether some user has two or more distinct interactions. */
  someUserHasTwo: boolean;
  /** True when the counts are estimates. */
  approximate: boolean;
}

interface Estimates {
  users: HyperLogLog;
  items: HyperLogLog;
  pairs: HyperLogLog;
  /** Rows per sampled user; duplicates of a sampled user count twice. */
  sampledUsers: Map<string, number>;
}

export class InteractionCounter {
  private rows = 0;
  private someUserHasTwo = false;
  private users = new IdNumbering();
  private userInteractions = new Uint32Array(1024);
  private items = new IdNumbering();
  private pairs = new PairSet();
  private estimates: Estimates | undefined;

  constructor(private readonly limits = EXACT_LIMITS) {}

  add(user: string, item: string): void {
    this.rows += 1;
    if (this.estimates) {
      addEstimated(this.estimates, user, item);
      return;
    }
    const userIndex = this.users.indexOf(user);
    if (userIndex >= this.userInteractions.length) {
      const grown = new Uint32Array(this.userInteractions.length * 2);
      grown.set(this.userInteractions);
      this.userInteractions = grown;
    }
    const itemIndex = this.items.indexOf(item);
    if (!this.pairs.add(userIndex, itemIndex)) return;
    const count = (this.userInteractions[userIndex] ?? 0) + 1;
    this.userInteractions[userIndex] = count;
    if (count === 2) this.someUserHasTwo = true;
    if (
      this.users.size + this.items.size > this.limits.ids ||
      this.pairs.size > this.limits.pairs
    ) {
      this.switchToEstimates();
    }
  }

  totals(): InteractionTotals {
    if (!this.estimates) {
      let singles = 0;
      for (let u = 0; u < this.users.size; u += 1) {
        if (this.userInteractions[u] === 1) singles += 1;
      }
      return {
        users: this.users.size,
        items: this.items.size,
        interactions: this.pairs.size,
        duplicates: this.rows - this.pairs.size,
        singleInteractionUsers: singles,
        someUserHasTwo: this.someUserHasTwo,
        approximate: false,
      };
    }
    const { sampledUsers } = this.estimates;
    const users = this.estimates.users.count();
    const interactions = Math.min(this.rows, this.estimates.pairs.count());
    let sampledSingles = 0;
    let someUserHasTwo = this.someUserHasTwo;
    for (const count of sampledUsers.values()) {
      if (count === 1) sampledSingles += 1;
      if (count >= 2) someUserHasTwo = true;
    }
    return {
      users,
      items: this.estimates.items.count(),
      interactions,
      duplicates: this.rows - interactions,
      singleInteractionUsers:
        sampledUsers.size === 0
          ? 0
          : Math.round((sampledSingles / sampledUsers.size) * users),
      someUserHasTwo,
      approximate: true,
    };
  }

  private switchToEstimates(): void {
    const estimates: Estimates = {
      users: new HyperLogLog(),
      items: new HyperLogLog(),
      pairs: new HyperLogLog(),
      sampledUsers: new Map(),
    };
    const userHashes = new Uint32Array(this.users.size);
    for (const [user, index] of this.users.entries()) {
      const hash = hash32(user);
      userHashes[index] = hash;
      estimates.users.addHash(hash);
      if ((hash & SAMPLE_MASK) === 0) {
        estimates.sampledUsers.set(user, this.userInteractions[index] ?? 0);
      }
    }
    const itemHashes = new Uint32Array(this.items.size);
    for (const [item, index] of this.items.entries()) {
      const hash = hash32(item);
      itemHashes[index] = hash;
      estimates.items.addHash(hash);
    }
    this.pairs.forEach((u, i) =>
      estimates.pairs.addHash(pairHash(userHashes[u] ?? 0, itemHashes[i] ?? 0)),
    );
    this.users = new IdNumbering();
    this.items = new IdNumbering();
    this.pairs = new PairSet();
    this.userInteractions = new Uint32Array(0);
    this.estimates = estimates;
  }
}

function addEstimated(estimates: Estimates, user: string, item: string): void {
  const userHash = hash32(user);
  const itemHash = hash32(item);
  estimates.users.addHash(userHash);
  estimates.items.addHash(itemHash);
  estimates.pairs.addHash(pairHash(userHash, itemHash));
  if ((userHash & SAMPLE_MASK) === 0) {
    const count = (estimates.sampledUsers.get(user) ?? 0) + 1;
    estimates.sampledUsers.set(ownCopy(user), count);
  }
}

/** Murmur3's finaliser over both hashes, so pair hashes stay uniform. */
function pairHash(userHash: number, itemHash: number): number {
  let h = (userHash ^ Math.imul(itemHash, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function ownCopy(id: string): string {
  return id.length < SLICE_MIN_LENGTH
    ? id
    : Buffer.from(id, 'latin1').toString('latin1');
}

/**
 * Numbers ids 0, 1, 2... in order of first appearance. Small canonical
 * integers (most ids in practice) go through a typed array, which is several
 * times faster than hashing strings; other ids through a Map.
 */
class IdNumbering {
  size = 0;
  private readonly byString = new Map<string, number>();
  /** Index + 1 by integer id; 0 for unseen. */
  private byInteger = new Int32Array(1024);

  indexOf(id: string): number {
    const integer = smallInteger(id);
    if (integer < 0) {
      let index = this.byString.get(id);
      if (index === undefined) {
        index = this.size;
        this.size += 1;
        this.byString.set(ownCopy(id), index);
      }
      return index;
    }
    if (integer >= this.byInteger.length) {
      let length = this.byInteger.length;
      while (length <= integer) length *= 2;
      const grown = new Int32Array(length);
      grown.set(this.byInteger);
      this.byInteger = grown;
    }
    const stored = this.byInteger[integer] ?? 0;
    if (stored > 0) return stored - 1;
    this.size += 1;
    this.byInteger[integer] = this.size;
    return this.size - 1;
  }

  *entries(): Generator<[string, number]> {
    yield* this.byString;
    for (let integer = 0; integer < this.byInteger.length; integer += 1) {
      const stored = this.byInteger[integer] ?? 0;
      if (stored > 0) yield [String(integer), stored - 1];
    }
  }
}

/** Ids below this go in the typed array (16 MB at most). */
const INTEGER_ID_LIMIT = 1 << 22;

/** The id as an integer when it is one written canonically, else -1. */
function smallInteger(id: string): number {
  const length = id.length;
  if (length === 0 || length > 7) return -1;
  if (length > 1 && id.charCodeAt(0) === 48) return -1;
  let value = 0;
  for (let i = 0; i < length; i += 1) {
    const digit = id.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value < INTEGER_ID_LIMIT ? value : -1;
}

/** Distinct (user index, item index) pairs in open addressing. */
class PairSet {
  size = 0;
  private slots = new Uint32Array(2 * 1024).fill(EMPTY);
  private mask = 1023;

  /** Adds the pair; false when it was there already. */
  add(user: number, item: number): boolean {
    let slot = slotHash(user, item) & this.mask;
    for (;;) {
      const at = slot * 2;
      const storedUser = this.slots[at];
      if (storedUser === EMPTY) break;
      if (storedUser === user && this.slots[at + 1] === item) return false;
      slot = (slot + 1) & this.mask;
    }
    this.slots[slot * 2] = user;
    this.slots[slot * 2 + 1] = item;
    this.size += 1;
    if (this.size * 2 > this.mask) this.grow();
    return true;
  }

  forEach(visit: (user: number, item: number) => void): void {
    for (let at = 0; at < this.slots.length; at += 2) {
      const user = this.slots[at] ?? EMPTY;
      if (user !== EMPTY) visit(user, this.slots[at + 1] ?? 0);
    }
  }

  private grow(): void {
    const old = this.slots;
    this.mask = this.mask * 2 + 1;
    this.slots = new Uint32Array(2 * (this.mask + 1)).fill(EMPTY);
    this.size = 0;
    for (let at = 0; at < old.length; at += 2) {
      const user = old[at] ?? EMPTY;
      if (user !== EMPTY) this.add(user, old[at + 1] ?? 0);
    }
  }
}

function slotHash(user: number, item: number): number {
  let h =
    Math.imul(user, 0x9e3779b1) ^ Math.imul(item + 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}
