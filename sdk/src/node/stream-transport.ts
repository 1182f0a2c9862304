import type { Readable, Writable } from 'node:stream';
import type { BusError } from '../protocol/bus-error.ts';
import { LineReader, type ByteChunk } from '../rpc/line-reader.ts';
import type { JsonRpcMessage } from '../rpc/json-rpc-message.ts';
import type { Transport, TransportHandlers } from '../rpc/transport.ts';

/** Options of a StreamTransport. */
export interface StreamTransportOptions {
  /** Longest accepted line in bytes (default 16 MiB). */
  maxLineBytes?: number;
  /**
   * What end of input means: `close` (default) closes the transport; `wait` leaves closing to
   * the owner's `terminate()`, for a child process whose exit status should name the failure.
   */
  onInputEnd?: 'close' | 'wait';
}

const concat = (chunks: ByteChunk[], size: number): ByteChunk => Buffer.concat(chunks as Buffer[], size);

/**
 * Newline-delimited JSON over a readable and a writable Node stream (a child's stdio, or a
 * plugin's own stdin/stdout). Write errors such as EPIPE close the transport instead of throwing.
 */
export class StreamTransport implements Transport {
  readonly #input: Readable;
  readonly #output: Writable;
  readonly #options: StreamTransportOptions;
  #handlers: TransportHandlers | undefined;
  #closed = false;
  #outputFailed = false;
  #outbox = '';
  #flushQueued = false;

  constructor(input: Readable, output: Writable, options: StreamTransportOptions = {}) {
    this.#input = input;
    this.#output = output;
    this.#options = options;
  }

  start(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    const reader = new LineReader(
      {
        onLine: (line) => this.#receiveLine(line),
        onOversized: (bytes) => handlers.onDiagnostic?.({ kind: 'oversized', bytes }),
      },
      { maxLineBytes: this.#options.maxLineBytes, concat },
    );
    this.#input.on('data', (chunk: Buffer) => reader.push(chunk));
    this.#input.on('end', () => {
      reader.end();
      if (this.#options.onInputEnd !== 'wait') this.terminate('end of input');
    });
    this.#input.on('error', (error) => this.terminate(`input error: ${error.message}`));
    // A broken output (EPIPE) is reported once; later sends are dropped. Input decides when the
    // transport closes, so a plugin whose reader vanished still exits only at stdin EOF.
    this.#output.on('error', (error) => {
      if (this.#outputFailed) return;
      this.#outputFailed = true;
      handlers.onDiagnostic?.({ kind: 'write-failed', error: error.message });
    });
  }

  send(message: JsonRpcMessage): void {
    if (this.#closed || this.#outputFailed || this.#output.destroyed || this.#output.writableEnded) return;
    const line = JSON.stringify(message) + '\n';
    // Messages sent in the same tick leave in one write: one syscall and one wake-up of the
    // peer instead of one per message, which is most of the cost when many calls are in flight.
    this.#outbox += line;
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.#flush);
    }
  }

  readonly #flush = (): void => {
    this.#flushQueued = false;
    const chunk = this.#outbox;
    this.#outbox = '';
    if (chunk.length === 0 || this.#outputFailed || this.#output.destroyed || this.#output.writableEnded) return;
    this.#output.write(chunk);
  };

  /** Closes the transport and reports `reason` (and the error pending requests get) once. */
  terminate(reason: string, error?: BusError): void {
    if (this.#closed) return;
    this.close();
    this.#handlers?.onClose(reason, error);
  }

  close(): void {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    this.#input.removeAllListeners('data');
    if (!this.#output.destroyed && !this.#output.writableEnded) this.#output.end();
  }

  #receiveLine(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch (error) {
      this.#handlers?.onDiagnostic?.({ kind: 'invalid-json', line: line.slice(0, 200), error: (error as Error).message });
      return;
    }
    this.#handlers?.onMessage(message);
  }
}
