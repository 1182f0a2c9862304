import { BusError, ErrorCode } from '@cyberstudio/sdk';
import type { Llama } from 'node-llama-cpp';

/** node-llama-cpp's module namespace. */
export type NodeLlamaCpp = typeof import('node-llama-cpp');

let llamaModule: Promise<NodeLlamaCpp> | undefined;

/**
 * node-llama-cpp, imported on first use. The package alone holds about 35 MiB of a process and
 * loading its binary most of a second, which a start that serves no local model should not pay:
 * listing models reads their headers with llmserver's own reader.
 */
export function nodeLlamaCpp(): Promise<NodeLlamaCpp> {
  llamaModule ??= import('node-llama-cpp').catch((error: unknown) => {
    llamaModule = undefined;
    throw error;
  });
  return llamaModule;
}

/**
 * The node-llama-cpp binding, loaded by the first `get()` (the first model load or grammar), and
 * shared after. A failed load is not kept: the next `get()` tries again, and each failure answers
 * as InternalError naming the reason, so a machine without the prebuilt binary still lists,
 * downloads and serves remote models.
 */
export class LazyLlama {
  readonly #load: () => Promise<Llama>;
  #loading: Promise<Llama> | undefined;

  constructor(load: () => Promise<Llama>) {
    this.#load = load;
  }

  /** The binding, loading it on the first call. */
  get(): Promise<Llama> {
    this.#loading ??= this.#load().catch((error: unknown) => {
      this.#loading = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      throw new BusError(ErrorCode.InternalError, `llmserver cannot run local models: node-llama-cpp could not load its CPU binary: ${reason}`, { name: 'LlamaUnavailable', reason: 'llama-unavailable' });
    });
    return this.#loading;
  }

  /** Releases the binding if it was loaded; safe to call twice. */
  async dispose(): Promise<void> {
    const loading = this.#loading;
    this.#loading = undefined;
    const llama = await loading?.catch(() => undefined);
    await llama?.dispose();
  }
}
