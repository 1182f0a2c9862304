// The part of a WebSocket the client uses: the browser's WebSocket and the `ws` package's both
// have it, so the client runs anywhere without importing either.

/** `readyState` of an open socket, the same in the browser and in `ws`. */
export const SOCKET_OPEN = 1;

/** A close as the socket reports it. */
export interface SocketCloseEvent {
  code: number;
  reason: string;
}

/**
 * An event handler property. Declared through a method so its parameter is checked bivariantly:
 * the browser's and `ws`'s handlers take their own, richer event types.
 */
export type SocketHandler<Event> = { handle(event: Event): void }['handle'];

/** A WebSocket as the client drives it: the browser's, or one from the `ws` package. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: SocketHandler<unknown> | null;
  onmessage: SocketHandler<{ data: unknown }> | null;
  onclose: SocketHandler<SocketCloseEvent> | null;
  onerror: SocketHandler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** Drops the connection without the close handshake (`ws` has it, browsers do not). */
  terminate?(): void;
}
