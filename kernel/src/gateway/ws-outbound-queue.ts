import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { TickCork } from './tick-cork.ts';

/**
 * Bytes a socket may hold unsent before the queue stops handing it more: past this the client is
 * not keeping up, and what is still queued here can be dropped (events) or counted (replies).
 */
export const SOCKET_HIGH_WATER_BYTES = 1024 * 1024;

/** Renders a droppable message when it leaves, with the number of its stream's messages dropped before it. */
export type EventRenderer = (dropped: number) => string;

/** How much a queue may hold. */
export interface OutboundQueueLimits {
  /** Most droppable messages kept; the oldest goes first (gateway.limits.wsEventBuffer). */
  maxEvents: number;
  /** Most bytes of undroppable messages kept before the client counts as too slow (gateway.limits.wsMaxBufferedBytes). */
  maxReplyBytes: number;
}

/** What a queue holds now, and what it has dropped so far. */
export interface OutboundQueueStats {
  queuedEvents: number;
  queuedReplyBytes: number;
  droppedEvents: number;
}

interface Reply {
  seq: number;
  text: string;
  bytes: number;
}

interface Event {
  seq: number;
  stream: string;
  render: EventRenderer;
}

/**
 * The outbound side of one WebSocket. Messages go to the socket only while its unsent bytes are
 * under SOCKET_HIGH_WATER_BYTES; the rest wait here, in the order they were given. Replies
 * (responses, progress) are never dropped: when more than `maxReplyBytes` of them wait,
 * `onOverflow` runs once and the owner closes the socket. Events are droppable: beyond
 * `maxEvents` the oldest is dropped and counted against its stream, and that stream's next
 * event is rendered with the count. Memory stays bounded either way.
 */
export class OutboundQueue {
  readonly #socket: WebSocket;
  readonly #limits: OutboundQueueLimits;
  readonly #onOverflow: () => void;
  readonly #onDrop: (count: number) => void;
  // Two FIFOs merged by sequence number keep one order while events can be dropped from the front of theirs.
  readonly #replies = new Fifo<Reply>();
  readonly #events = new Fifo<Event>();
  readonly #droppedPerStream = new Map<string, number>();
  #seq = 0;
  #replyBytes = 0;
  #droppedEvents = 0;
  #overflowed = false;
  #closed = false;
  readonly #onWritten = () => this.#flush();
  readonly #cork: TickCork | undefined;

  /** `transport` is the stream under `socket` (the upgraded connection); given, frames sent in one tick share one write. */
  constructor(socket: WebSocket, limits: OutboundQueueLimits, hooks: { onOverflow(): void; onDrop?(count: number): void }, transport?: Duplex) {
    this.#socket = socket;
    this.#cork = transport && new TickCork(transport);
    this.#limits = limits;
    this.#onOverflow = hooks.onOverflow;
    this.#onDrop = hooks.onDrop ?? (() => {});
  }

  /** Queues an undroppable message (a response or a progress chunk). */
  sendReply(text: string): void {
    if (this.#closed) return;
    const bytes = Buffer.byteLength(text);
    this.#replies.push({ seq: this.#seq++, text, bytes });
    this.#replyBytes += bytes;
    this.#flush();
    if (this.#replyBytes > this.#limits.maxReplyBytes && !this.#overflowed) {
      this.#overflowed = true;
      this.#onOverflow();
    }
  }

  /** Queues a droppable message of `stream` (a subscription), dropping the oldest queued event when full. */
  sendEvent(stream: string, render: EventRenderer): void {
    if (this.#closed) return;
    this.#events.push({ seq: this.#seq++, stream, render });
    if (this.#events.length > this.#limits.maxEvents) {
      const oldest = this.#events.shift()!;
      this.#droppedPerStream.set(oldest.stream, (this.#droppedPerStream.get(oldest.stream) ?? 0) + 1);
      this.#droppedEvents += 1;
      this.#onDrop(1);
    }
    this.#flush();
  }

  /** Forgets the queued events and drop count of `stream` (it was unsubscribed). */
  discard(stream: string): void {
    this.#events.removeWhere((event) => event.stream === stream);
    this.#droppedPerStream.delete(stream);
  }

  /** What the queue holds now. */
  get stats(): OutboundQueueStats {
    return { queuedEvents: this.#events.length, queuedReplyBytes: this.#replyBytes, droppedEvents: this.#droppedEvents };
  }

  /** Drops everything queued and accepts nothing more. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#replies.clear();
    this.#events.clear();
    this.#replyBytes = 0;
    this.#droppedPerStream.clear();
  }

  #flush(): void {
    const socket = this.#socket;
    if (this.#cork && (this.#replies.length > 0 || this.#events.length > 0)) this.#cork.hold();
    while (!this.#closed && socket.readyState === WebSocket.OPEN && socket.bufferedAmount < SOCKET_HIGH_WATER_BYTES) {
      const reply = this.#replies.peek();
      const event = this.#events.peek();
      if (reply === undefined && event === undefined) return;
      if (reply !== undefined && (event === undefined || reply.seq < event.seq)) {
        this.#replies.shift();
        this.#replyBytes -= reply.bytes;
        socket.send(reply.text, this.#onWritten);
      } else {
        this.#events.shift();
        const dropped = this.#droppedPerStream.get(event!.stream) ?? 0;
        if (dropped > 0) this.#droppedPerStream.delete(event!.stream);
        socket.send(event!.render(dropped), this.#onWritten);
      }
    }
  }
}

/** A first-in first-out list whose shift is O(1) amortized (Array#shift copies the whole array). */
class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  removeWhere(test: (item: T) => boolean): void {
    this.#items = this.#items.slice(this.#head).filter((item) => !test(item!));
    this.#head = 0;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
