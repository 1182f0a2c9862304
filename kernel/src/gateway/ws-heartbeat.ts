import type { WebSocket } from 'ws';

/**
 * Pings every watched socket once per interval. A socket that has not answered the previous ping
 * by the next tick is terminated: its client, or the network in between, is gone (or the client
 * stopped reading), and only a ping finds that out on an idle connection.
 */
export class Heartbeat {
  readonly #alive = new Map<WebSocket, boolean>();
  readonly #onBeat: (socket: WebSocket) => void;
  #timer: NodeJS.Timeout | undefined;

  /** `onBeat` runs for every socket still alive at each tick (e.g. to re-check its credential). */
  constructor(intervalMs: number, onBeat: (socket: WebSocket) => void = () => {}) {
    this.#onBeat = onBeat;
    this.#timer = setInterval(() => this.#beat(), intervalMs);
    this.#timer.unref();
  }

  /** Starts watching `socket` until it closes. */
  watch(socket: WebSocket): void {
    if (this.#timer === undefined) return;
    this.#alive.set(socket, true);
    socket.on('pong', () => {
      if (this.#alive.has(socket)) this.#alive.set(socket, true);
    });
    socket.once('close', () => this.#alive.delete(socket));
  }

  /** Stops pinging. Idempotent. */
  dispose(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#alive.clear();
  }

  #beat(): void {
    for (const [socket, alive] of this.#alive) {
      if (!alive) {
        this.#alive.delete(socket);
        socket.terminate();
        continue;
      }
      this.#alive.set(socket, false);
      socket.ping();
      this.#onBeat(socket);
    }
  }
}
