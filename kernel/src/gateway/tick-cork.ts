import type { Writable } from 'node:stream';

/**
 * Holds a stream's writes until the end of the current tick, so that everything written in one
 * tick leaves in one write. When a plugin's answers arrive together (one pipe read carrying many
 * responses), each WebSocket frame would otherwise be its own syscall and its own wake-up of the
 * client; corked, they go out as one. Nothing waits longer than the tick that wrote it.
 */
export class TickCork {
  readonly #stream: Writable;
  #corked = false;
  readonly #release = (): void => {
    this.#corked = false;
    this.#stream.uncork();
  };

  constructor(stream: Writable) {
    this.#stream = stream;
  }

  /** Corks the stream, if it is not corked already, until the tick's microtasks have run. */
  hold(): void {
    if (this.#corked || this.#stream.destroyed) return;
    this.#corked = true;
    this.#stream.cork();
    // nextTick runs after the microtasks queued so far, so answers resolved together share the write.
    process.nextTick(this.#release);
  }
}
