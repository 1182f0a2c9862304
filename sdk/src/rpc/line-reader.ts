import { Defaults } from '../protocol/protocol-constants.ts';

/** The byte-chunk operations the reader needs; Node's Buffer has them, and the reader stays platform-neutral. */
export interface ByteChunk {
  readonly length: number;
  indexOf(value: number, byteOffset?: number): number;
  toString(encoding: 'utf8', start?: number, end?: number): string;
  subarray(start?: number, end?: number): ByteChunk;
}

/** What the reader reports besides complete lines. */
export interface LineReaderEvents {
  onLine(line: string): void;
  /** A line longer than the cap was dropped; reading resumes after its newline. */
  onOversized?(droppedBytes: number): void;
}

/**
 * Splits a byte stream into UTF-8 lines on "\n", capping line length. Lines are decoded only
 * once they are complete, so multi-byte characters split across chunks stay intact.
 */
export class LineReader {
  readonly #events: LineReaderEvents;
  readonly #maxLineBytes: number;
  readonly #concat: (chunks: ByteChunk[], size: number) => ByteChunk;
  #pending: ByteChunk[] = [];
  #pendingBytes = 0;
  #skippedBytes = -1;

  constructor(
    events: LineReaderEvents,
    options: { maxLineBytes?: number; concat: (chunks: ByteChunk[], size: number) => ByteChunk },
  ) {
    this.#events = events;
    this.#maxLineBytes = options.maxLineBytes ?? Defaults.maxLineBytes;
    this.#concat = options.concat;
  }

  /** Feeds one chunk; calls `onLine` for every complete line in it. */
  push(chunk: ByteChunk): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      if (newline === -1) {
        this.#keep(chunk.subarray(start));
        return;
      }
      this.#finishLine(chunk, start, newline);
      start = newline + 1;
    }
  }

  /** Delivers a final unterminated line, if any, at end of stream. */
  end(): void {
    if (this.#skippedBytes >= 0) this.#reportSkipped(0);
    if (this.#pendingBytes > 0) this.#emit(this.#takePending().toString('utf8'));
  }

  #finishLine(chunk: ByteChunk, start: number, newline: number): void {
    if (this.#skippedBytes >= 0) {
      this.#reportSkipped(newline - start);
      return;
    }
    if (this.#pendingBytes + newline - start > this.#maxLineBytes) {
      const dropped = this.#pendingBytes + newline - start;
      this.#takePending();
      this.#events.onOversized?.(dropped);
      return;
    }
    if (this.#pendingBytes === 0) {
      this.#emit(chunk.toString('utf8', start, newline));
      return;
    }
    this.#pending.push(chunk.subarray(start, newline));
    this.#pendingBytes += newline - start;
    this.#emit(this.#takePending().toString('utf8'));
  }

  #keep(rest: ByteChunk): void {
    if (this.#skippedBytes >= 0) {
      this.#skippedBytes += rest.length;
      return;
    }
    if (this.#pendingBytes + rest.length > this.#maxLineBytes) {
      this.#skippedBytes = this.#pendingBytes + rest.length;
      this.#takePending();
      return;
    }
    this.#pending.push(rest);
    this.#pendingBytes += rest.length;
  }

  #reportSkipped(tail: number): void {
    const dropped = this.#skippedBytes + tail;
    this.#skippedBytes = -1;
    this.#events.onOversized?.(dropped);
  }

  #takePending(): ByteChunk {
    const whole = this.#pending.length === 1 ? this.#pending[0]! : this.#concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    return whole;
  }

  #emit(line: string): void {
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (trimmed.length > 0) this.#events.onLine(trimmed);
  }
}
