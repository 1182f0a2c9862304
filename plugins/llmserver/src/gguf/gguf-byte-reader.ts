import { open, type FileHandle } from 'node:fs/promises';
import { modelInvalidError } from './model-invalid-error.ts';

/** Bytes read from disk at a time: the head of most models fits in a few of these. */
const READ_CHUNK_BYTES = 256 * 1024;

/** Longest string (key, value or tensor name) the reader accepts; chat templates stay far below. */
export const MAX_GGUF_STRING_BYTES = 1024 * 1024;

/**
 * Reads little-endian fields from the front of a file through a sliding buffer, so a
 * multi-gigabyte model costs only the bytes of its header. Running past the end of the file
 * raises CDS_ERR_MODEL_INVALID (reason `truncated`).
 */
export class GgufByteReader {
  readonly file: string;
  readonly fileSize: number;
  #handle: FileHandle;
  #signal: AbortSignal | undefined;
  #buffer = Buffer.alloc(0);
  #bufferStart = 0;
  #cursor = 0;
  #closed = false;

  private constructor(file: string, handle: FileHandle, fileSize: number, signal: AbortSignal | undefined) {
    this.file = file;
    this.#handle = handle;
    this.fileSize = fileSize;
    this.#signal = signal;
  }

  /** Opens `file` for reading; file-system errors (ENOENT, EACCES) pass through unchanged. */
  static async open(file: string, signal?: AbortSignal): Promise<GgufByteReader> {
    signal?.throwIfAborted();
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      return new GgufByteReader(file, handle, size, signal);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The file offset of the next byte to read. */
  get offset(): number {
    return this.#bufferStart + this.#cursor;
  }

  /** Bytes between the read position and the end of the file. */
  get remaining(): number {
    return this.fileSize - this.offset;
  }

  async u8(): Promise<number> {
    return (await this.#take(1)).readUInt8(0);
  }

  async u32(): Promise<number> {
    return (await this.#take(4)).readUInt32LE(0);
  }

  async u64(): Promise<bigint> {
    return (await this.#take(8)).readBigUInt64LE(0);
  }

  /** The next `length` bytes; the view is valid until the next read. */
  bytes(length: number): Promise<Buffer> {
    return this.#take(length);
  }

  /** One length-prefixed UTF-8 string; with `keep` false it is skipped and '' returned. */
  async string(keep = true): Promise<string> {
    return (await this.strings(1, keep))[0]!;
  }

  /**
   * `count` length-prefixed strings (skipped when `keep` is false). Works straight from the
   * buffer while it holds them: vocabularies have hundreds of thousands of short strings.
   */
  async strings(count: number, keep: boolean): Promise<string[]> {
    const strings: string[] = [];
    for (let index = 0; index < count; index++) {
      if (this.#buffer.length - this.#cursor < 8) await this.#fill(8);
      const high = this.#buffer.readUInt32LE(this.#cursor + 4);
      const length = this.#buffer.readUInt32LE(this.#cursor);
      if (high !== 0 || length > MAX_GGUF_STRING_BYTES) {
        const claimed = (BigInt(high) << 32n) | BigInt(length);
        throw modelInvalidError(this.file, 'limit-exceeded', `a string of ${claimed} bytes is longer than the reader accepts (${MAX_GGUF_STRING_BYTES})`, this.offset);
      }
      this.#cursor += 8;
      if (!keep) {
        await this.skip(length);
        continue;
      }
      if (this.#buffer.length - this.#cursor < length) await this.#fill(length);
      strings.push(this.#buffer.toString('utf8', this.#cursor, this.#cursor + length));
      this.#cursor += length;
    }
    return strings;
  }

  /** Moves past `length` bytes without keeping them (a skipped string or array). */
  async skip(length: number): Promise<void> {
    const buffered = this.#buffer.length - this.#cursor;
    if (length <= buffered) {
      this.#cursor += length;
      return;
    }
    if (length > this.remaining) throw this.#truncated(length);
    this.#bufferStart = this.offset + length;
    this.#buffer = Buffer.alloc(0);
    this.#cursor = 0;
  }

  /** Releases the file handle; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #take(length: number): Promise<Buffer> {
    if (this.#buffer.length - this.#cursor < length) await this.#fill(length);
    const view = this.#buffer.subarray(this.#cursor, this.#cursor + length);
    this.#cursor += length;
    return view;
  }

  async #fill(length: number): Promise<void> {
    this.#signal?.throwIfAborted();
    if (length > this.remaining) throw this.#truncated(length);
    const kept = this.#buffer.subarray(this.#cursor);
    const size = Math.min(Math.max(length, READ_CHUNK_BYTES), this.remaining);
    const next = Buffer.alloc(size);
    kept.copy(next, 0);
    let filled = kept.length;
    while (filled < size) {
      const { bytesRead } = await this.#handle.read(next, filled, size - filled, this.offset + filled);
      // The file shrank since fstat: what is missing now is missing for good.
      if (bytesRead === 0) throw this.#truncated(length);
      filled += bytesRead;
    }
    this.#bufferStart = this.offset;
    this.#buffer = next;
    this.#cursor = 0;
  }

  #truncated(wanted: number) {
    return modelInvalidError(this.file, 'truncated', `the file is truncated: ${wanted} more bytes needed, ${this.remaining} left`, this.offset);
  }
}
