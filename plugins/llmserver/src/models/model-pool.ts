import { BusError, ErrorCode, type PluginLogger } from '@cyberstudio/sdk';
import type { Llama } from 'node-llama-cpp';
import type { ModelState } from '../llm-answers.ts';
import type { LlmConfig } from '../llm-config.ts';
import { ramBudgetExceeded } from '../llm-errors.ts';
import { LoadedModel } from './loaded-model.ts';
import type { ModelRecord } from './model-registry.ts';
import { estimateModelRamBytes } from './ram-estimate.ts';

export type { ModelState } from '../llm-answers.ts';

/** A usable model: a record whose header was read and accepted. */
export type UsableRecord = ModelRecord & { readonly info: NonNullable<ModelRecord['info']> };

interface Loading {
  readonly promise: Promise<LoadedModel>;
  readonly reservedBytes: number;
}

const BYTES_PER_MB = 1_048_576;

/** Options of a wait for a model: `signal` ends the wait (the load goes on for others), `timeout` in ms bounds it. */
export interface AcquireOptions {
  signal?: AbortSignal;
  timeout?: number;
}

/**
 * The models in memory. Loads on demand (one load per model at a time), keeps the estimated RAM
 * of all of them under `ramBudgetMb` by unloading the least recently used idle models first, and
 * unloads a model left idle for `idleUnloadSeconds`. Disposing unloads them all and refuses
 * later acquires with ShuttingDown.
 */
export class ModelPool {
  readonly #llama: () => Promise<Llama>;
  readonly #config: () => LlmConfig;
  readonly #log: PluginLogger;
  readonly #loaded = new Map<string, LoadedModel>();
  readonly #loading = new Map<string, Loading>();
  readonly #loadErrors = new Map<string, string>();
  readonly #idleTimers = new Map<string, NodeJS.Timeout>();
  #disposed: Promise<void> | undefined;

  /** `llama` gives the node-llama-cpp binding, loading it on the first model load. */
  constructor(llama: () => Promise<Llama>, config: () => LlmConfig, log: PluginLogger) {
    this.#llama = llama;
    this.#config = config;
    this.#log = log;
  }

  /** The RAM budget in bytes. */
  get ramBudgetBytes(): number {
    return Math.floor(this.#config().ramBudgetMb * BYTES_PER_MB);
  }

  /** The loaded models, most recently used first. */
  loaded(): LoadedModel[] {
    return [...this.#loaded.values()].sort((a, b) => b.lastUsedAt - a.lastUsedAt);
  }

  /** Models being loaded now, with the bytes their load reserved in the budget. */
  loading(): Array<{ id: string; reservedBytes: number }> {
    return [...this.#loading].map(([id, loading]) => ({ id, reservedBytes: loading.reservedBytes }));
  }

  /** The state of a model as the pool knows it, and why its last load failed. */
  stateOf(id: string): { state: ModelState; error?: string; ramBytes?: number } {
    const loaded = this.#loaded.get(id);
    if (loaded) return { state: 'loaded', ramBytes: loaded.ramBytes };
    if (this.#loading.has(id)) return { state: 'loading' };
    const error = this.#loadErrors.get(id);
    return error === undefined ? { state: 'unloaded' } : { state: 'failed', error };
  }

  /** Estimated bytes held by loaded models and reserved by loads in progress. */
  usedBytes(): number {
    let used = 0;
    for (const model of this.#loaded.values()) used += model.ramBytes;
    for (const loading of this.#loading.values()) used += loading.reservedBytes;
    return used;
  }

  /**
   * The loaded model, loading it first when needed (concurrent callers share one load); counts as
   * a use. The wait rejects with the signal's reason (a TimeoutError after `timeout` ms); after
   * dispose it fails with ShuttingDown.
   */
  async acquire(record: UsableRecord, options: AcquireOptions = {}): Promise<LoadedModel> {
    options.signal?.throwIfAborted();
    if (this.#disposed) throw shuttingDown(record.id);
    const pending = this.#loaded.get(record.id) ?? this.#loading.get(record.id)?.promise ?? this.#load(record);
    const model = await waitFor(pending, options);
    model.lastUsedAt = Date.now();
    return model;
  }

  /** Unloads a model: running work is aborted and waiting work refused (ShuttingDown). Resolves with whether it was loaded. */
  async unload(id: string): Promise<boolean> {
    await this.#loading.get(id)?.promise.catch(() => undefined);
    const model = this.#detach(id);
    if (!model) return false;
    await model.dispose();
    return true;
  }

  /** Unloads every model, after the loads in progress end, and refuses new acquires. Safe to call twice: later calls share the first. */
  dispose(): Promise<void> {
    this.#disposed ??= (async () => {
      await Promise.allSettled([...this.#loading.values()].map((loading) => loading.promise));
      await Promise.all([...this.#loaded.keys()].map((id) => this.unload(id)));
    })();
    return this.#disposed;
  }

  /** dispose(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  #load(record: UsableRecord): Promise<LoadedModel> {
    const config = this.#config();
    const settings = config.models[record.id] ?? {};
    const contextSize = Math.min(settings.contextSize ?? config.contextSize, record.info.contextLength ?? Number.POSITIVE_INFINITY);
    const threads = settings.threads ?? config.threads;
    const requiredBytes = estimateModelRamBytes(record.info, contextSize, config.sequences);
    // Evicted models leave the map at once, so no new work reaches them and the budget sees the room.
    const evicted = this.#makeRoom(record.id, requiredBytes).map((id) => this.#detach(id)?.dispose());
    const loading = (async () => {
      await Promise.all(evicted);
      const started = performance.now();
      const model = await LoadedModel.load(await this.#llama(), record.id, record.info, {
        contextSize, threads, sequences: config.sequences, queueLimit: config.queueLimit, onIdle: () => this.#scheduleIdleUnload(model),
      });
      this.#log.info({ model: record.id, ms: Math.round(performance.now() - started), ramBytes: model.ramBytes, contextSize: model.contextSize, threads }, 'model loaded');
      return model;
    })();
    const promise = loading.then(
      (model) => {
        this.#loading.delete(record.id);
        this.#loaded.set(record.id, model);
        this.#scheduleIdleUnload(model);
        return model;
      },
      (error: unknown) => {
        this.#loading.delete(record.id);
        const reason = error instanceof Error ? error.message : String(error);
        this.#loadErrors.set(record.id, reason);
        this.#log.warn({ model: record.id, reason }, 'model failed to load');
        throw new BusError(ErrorCode.InternalError, `model '${record.id}' failed to load: ${reason}`, { model: record.id, name: 'ModelLoadFailed' });
      },
    );
    this.#loading.set(record.id, { promise, reservedBytes: requiredBytes });
    this.#loadErrors.delete(record.id);
    return promise;
  }

  /** Picks idle models to unload, least recently used first, so `requiredBytes` fits; throws when it cannot. */
  #makeRoom(id: string, requiredBytes: number): string[] {
    const budget = this.ramBudgetBytes;
    let used = this.usedBytes();
    if (requiredBytes > budget) throw ramBudgetExceeded(id, requiredBytes, used, budget);
    const candidates = [...this.#loaded.values()].filter((model) => model.slots.idle).sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    const evicted: string[] = [];
    while (used + requiredBytes > budget) {
      const victim = candidates.shift();
      if (!victim) throw ramBudgetExceeded(id, requiredBytes, used, budget);
      evicted.push(victim.id);
      used -= victim.ramBytes;
    }
    for (const victimId of evicted) this.#log.info({ model: victimId, for: id }, 'unloading the least recently used idle model to stay within the RAM budget');
    return evicted;
  }

  /** Takes a model out of the pool (no new work reaches it) without waiting for its disposal. */
  #detach(id: string): LoadedModel | undefined {
    const model = this.#loaded.get(id);
    if (!model) return undefined;
    this.#loaded.delete(id);
    this.#cancelIdleUnload(id);
    this.#log.info({ model: id }, 'model unloaded');
    return model;
  }

  /**
   * Unloads `model` once it has been idle for idleUnloadSeconds. Busy when the timer fires, it is
   * left alone (its slots call back when the work ends); used meanwhile, the timer waits the rest.
   */
  #scheduleIdleUnload(model: LoadedModel, delayMs = this.#config().idleUnloadSeconds * 1000): void {
    if (delayMs <= 0 || this.#loaded.get(model.id) !== model) return;
    this.#cancelIdleUnload(model.id);
    const timer = setTimeout(() => {
      this.#idleTimers.delete(model.id);
      if (this.#loaded.get(model.id) !== model || !model.slots.idle) return;
      const idleLimitMs = this.#config().idleUnloadSeconds * 1000;
      const idleMs = Date.now() - model.lastUsedAt;
      if (idleMs < idleLimitMs) {
        this.#scheduleIdleUnload(model, idleLimitMs - idleMs);
        return;
      }
      this.#log.info({ model: model.id, idleUnloadSeconds: idleLimitMs / 1000 }, 'unloading an idle model');
      void this.unload(model.id);
    }, delayMs);
    timer.unref();
    this.#idleTimers.set(model.id, timer);
  }

  #cancelIdleUnload(id: string): void {
    clearTimeout(this.#idleTimers.get(id));
    this.#idleTimers.delete(id);
  }
}

function shuttingDown(model: string): BusError {
  return new BusError(ErrorCode.ShuttingDown, `llmserver is unloading its models; model '${model}' is not served`, { plugin: 'llmserver', model });
}

/** `pending`, unless `signal` aborts or `timeout` ms pass first: then the abort's reason (a TimeoutError for the timeout), as every wait in the project rejects. */
async function waitFor(pending: LoadedModel | Promise<LoadedModel>, { signal, timeout }: AcquireOptions): Promise<LoadedModel> {
  if (!(pending instanceof Promise) || (signal === undefined && timeout === undefined)) return pending;
  const stop = AbortSignal.any([signal, timeout === undefined ? undefined : AbortSignal.timeout(timeout)].filter((item) => item !== undefined));
  return new Promise<LoadedModel>((resolve, reject) => {
    const onAbort = () => reject(stop.reason);
    stop.addEventListener('abort', onAbort, { once: true });
    pending.then(resolve, reject).finally(() => stop.removeEventListener('abort', onAbort));
  });
}
