import type { JsonRpcMessage } from '../rpc/json-rpc-message.ts';
import type { Transport, TransportHandlers } from '../rpc/transport.ts';

/**
 * One end of an in-memory pair. Each message is serialized when sent, as a pipe would, and
 * parsed again on delivery: values JSON cannot carry fail or change here exactly as on stdio.
 */
class MemoryTransport implements Transport {
  #peer: MemoryTransport | undefined;
  #handlers: TransportHandlers | undefined;
  /** Messages that arrived before `start`; a pipe buffers them the same way. */
  #early: string[] = [];
  #closed = false;
  /** Set when the peer closed before `start`; reported once the handlers exist. */
  #closedBeforeStart = false;

  connect(peer: MemoryTransport): void {
    this.#peer = peer;
  }

  start(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    const early = this.#early;
    this.#early = [];
    for (const text of early) this.#deliver(text);
    if (this.#closedBeforeStart) handlers.onClose('peer closed');
  }

  send(message: JsonRpcMessage): void {
    if (this.#closed) return;
    // Serializing now, not on delivery, makes a BigInt or a cycle fail at the sender, as StreamTransport does.
    const text = JSON.stringify(message);
    const peer = this.#peer!;
    queueMicrotask(() => peer.#receive(text));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const peer = this.#peer!;
    // Queued behind the messages already sent, so the peer reads them all before it sees the close.
    queueMicrotask(() => peer.#peerClosed());
  }

  #receive(text: string): void {
    if (this.#closed) return;
    if (this.#handlers) this.#deliver(text);
    else this.#early.push(text);
  }

  #deliver(text: string): void {
    this.#handlers!.onMessage(JSON.parse(text));
  }

  #peerClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#handlers) this.#handlers.onClose('peer closed');
    else this.#closedBeforeStart = true;
  }
}

/**
 * Two connected in-memory transports: what one sends, the other receives, asynchronously and
 * JSON round-tripped. Closing either end closes the other, which reports `onClose('peer closed')`.
 */
export function createTransportPair(): [Transport, Transport] {
  const left = new MemoryTransport();
  const right = new MemoryTransport();
  left.connect(right);
  right.connect(left);
  return [left, right];
}
