import type { ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import { modelQueueFull, modelUnloaded } from '../llm-errors.ts';
import { nodeLlamaCpp } from './lazy-llama.ts';
import type { GgufModelInfo } from '../gguf/gguf-model-info.ts';
import { GenerationSlots } from './generation-slots.ts';
import { estimateContextRamBytes, estimateModelRamBytes } from './ram-estimate.ts';

/** How a model is loaded: context size, parallel sequences, threads and the queue beyond them. */
export interface LoadOptions {
  readonly contextSize: number;
  readonly sequences: number;
  readonly threads: number;
  readonly queueLimit: number;
  /** Called when the model's last running work ends with nothing waiting. */
  readonly onIdle: () => void;
}

/**
 * One model in memory: the llama.cpp model, its generation context with `sequences` sequences,
 * an embedding context made on first use, and the slots that admit work to them.
 */
export class LoadedModel {
  readonly id: string;
  readonly info: GgufModelInfo;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  readonly chatWrapper: ChatWrapper;
  readonly slots: GenerationSlots;
  readonly threads: number;
  /** Epoch ms of the last work started or finished on this model; eviction picks the oldest. */
  lastUsedAt = Date.now();
  readonly #unload = new AbortController();
  readonly #running = new Set<Promise<unknown>>();
  #embedding: Promise<LlamaEmbeddingContext> | undefined;
  #disposed: Promise<void> | undefined;

  private constructor(id: string, info: GgufModelInfo, model: LlamaModel, context: LlamaContext, chatWrapper: ChatWrapper, options: LoadOptions) {
    this.id = id;
    this.info = info;
    this.model = model;
    this.context = context;
    this.threads = options.threads;
    this.chatWrapper = chatWrapper;
    this.slots = new GenerationSlots({
      limit: options.sequences,
      queueLimit: options.queueLimit,
      onFull: () => modelQueueFull(id, options.sequences, options.queueLimit),
      onIdle: options.onIdle,
    });
  }

  /** Loads the model file and creates its generation context; nothing stays allocated when either fails. */
  static async load(llama: Llama, id: string, info: GgufModelInfo, options: LoadOptions): Promise<LoadedModel> {
    const model = await llama.loadModel({ modelPath: info.file });
    try {
      const context = await model.createContext({ contextSize: options.contextSize, sequences: options.sequences, threads: options.threads });
      const { resolveChatWrapper } = await nodeLlamaCpp();
      return new LoadedModel(id, info, model, context, resolveChatWrapper(model), options);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  /** Tokens per sequence of the generation context (llama.cpp may round the requested size up). */
  get contextSize(): number {
    return this.context.contextSize;
  }

  /** Parallel generations (context sequences). */
  get sequences(): number {
    return this.context.totalSequences;
  }

  /** Contexts allocated: the generation context, plus the embedding context once used. */
  get contexts(): number {
    return this.#embedding ? 2 : 1;
  }

  /** Estimated bytes held: the file, the generation context and the embedding context once made. */
  get ramBytes(): number {
    const generation = estimateModelRamBytes(this.info, this.contextSize, this.sequences);
    return this.#embedding ? generation + estimateContextRamBytes(this.info, this.contextSize, 1) : generation;
  }

  /** True once dispose started: no work is admitted any more. */
  get disposed(): boolean {
    return this.#disposed !== undefined;
  }

  /**
   * Runs `work` on a context sequence of its own once a slot is free (see GenerationSlots for the
   * refusals). `work`'s signal aborts when `signal` does or the model unloads; the sequence is
   * disposed afterwards.
   */
  withSequence<T>(signal: AbortSignal, work: (sequence: LlamaContextSequence, signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.#run(signal, async (combined) => {
      const sequence = this.context.getSequence();
      try {
        return await work(sequence, combined);
      } finally {
        await sequence.dispose();
      }
    });
  }

  /** Runs `work` on the embedding context (made on first use) once a slot is free; refusals as withSequence. */
  withEmbedding<T>(signal: AbortSignal, work: (context: LlamaEmbeddingContext, signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.#run(signal, async (combined) => {
      this.#embedding ??= this.model.createEmbeddingContext({ contextSize: this.contextSize, threads: this.threads }).catch((error: unknown) => {
        // A failed creation is retried by the next call rather than remembered.
        this.#embedding = undefined;
        throw error;
      });
      return work(await this.#embedding, combined);
    });
  }

  /** Aborts running work and refuses waiting work (ShuttingDown), lets it settle, then frees the contexts and the model. Idempotent. */
  dispose(): Promise<void> {
    this.#disposed ??= this.#dispose();
    return this.#disposed;
  }

  async #dispose(): Promise<void> {
    const reason = modelUnloaded(this.id);
    this.slots.close(reason);
    this.#unload.abort(reason);
    await Promise.allSettled([...this.#running]);
    const embedding = await this.#embedding?.catch(() => undefined);
    await embedding?.dispose();
    await this.context.dispose();
    await this.model.dispose();
  }

  async #run<T>(signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.disposed) throw modelUnloaded(this.id);
    const combined = AbortSignal.any([signal, this.#unload.signal]);
    const release = await this.slots.acquire(combined);
    this.lastUsedAt = Date.now();
    const running = work(combined);
    this.#running.add(running);
    try {
      return await running;
    } catch (error) {
      // node-llama-cpp may fail with its own error once aborted; the caller needs the reason.
      throw combined.aborted ? combined.reason : error;
    } finally {
      this.#running.delete(running);
      this.lastUsedAt = Date.now();
      release();
    }
  }
}
