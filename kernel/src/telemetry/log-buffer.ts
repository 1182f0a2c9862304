import { queryLimit, recordMatcher, type LogQuery } from './log-query.ts';
import type { LogRecord } from './log-record.ts';

/** Records kept in memory per plugin when no capacity is given. */
export const DEFAULT_BUFFER_CAPACITY_PER_PLUGIN = 2000;

/** Options of a LogBuffer. */
export interface LogBufferOptions {
  /** Newest records kept per plugin; older ones are overwritten. */
  capacityPerPlugin?: number;
}

/**
 * The recent log records of every plugin in memory: one fixed-size ring per plugin, so a noisy
 * plugin evicts only its own history and appending never allocates beyond the ring.
 */
export class LogBuffer {
  readonly #capacity: number;
  readonly #rings = new Map<string, RecordRing>();
  #disposed = false;

  constructor(options: LogBufferOptions = {}) {
    const capacity = options.capacityPerPlugin ?? DEFAULT_BUFFER_CAPACITY_PER_PLUGIN;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacityPerPlugin must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  /** Keeps `record` in its plugin's ring, in O(1); ignored once disposed. */
  append(record: LogRecord): void {
    if (this.#disposed) return;
    let ring = this.#rings.get(record.plugin);
    if (ring === undefined) {
      ring = new RecordRing(this.#capacity);
      this.#rings.set(record.plugin, ring);
    }
    ring.push(record);
  }

  /** The newest records matching `query` (up to its limit), oldest first in `seq` order. */
  query(query: LogQuery = {}): LogRecord[] {
    const limit = queryLimit(query);
    if (limit === 0) return [];
    const matches = recordMatcher(query);
    const rings = query.plugin === undefined ? [...this.#rings.values()] : [this.#rings.get(query.plugin)];
    const found: LogRecord[] = [];
    for (const ring of rings) ring?.collectNewest(matches, limit, found);
    found.sort((a, b) => a.seq - b.seq);
    return found.length > limit ? found.slice(found.length - limit) : found;
  }

  /** Drops every record; later appends are ignored. Safe to call twice. */
  dispose(): void {
    this.#disposed = true;
    this.#rings.clear();
  }

  /** Same as dispose(). */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

class RecordRing {
  readonly #slots: (LogRecord | undefined)[];
  #next = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#slots = new Array<LogRecord | undefined>(capacity).fill(undefined);
  }

  push(record: LogRecord): void {
    this.#slots[this.#next] = record;
    this.#next = (this.#next + 1) % this.#slots.length;
    if (this.#size < this.#slots.length) this.#size++;
  }

  /** Appends to `into` up to `limit` matching records of this ring, newest first. */
  collectNewest(matches: (record: LogRecord) => boolean, limit: number, into: LogRecord[]): void {
    const capacity = this.#slots.length;
    let taken = 0;
    for (let age = 0; age < this.#size && taken < limit; age++) {
      const record = this.#slots[(this.#next - 1 - age + capacity) % capacity]!;
      if (matches(record)) {
        into.push(record);
        taken++;
      }
    }
  }
}
