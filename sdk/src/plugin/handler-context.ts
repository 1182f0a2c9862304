import type { CallMeta, Caller } from '../protocol/messages.ts';
import { timeoutError, type CancellationSignal, type IncomingRequestContext } from '../rpc/rpc-connection.ts';
import type { PluginCallOptions, PluginContext, TopicListener } from './plugin-context.ts';
import type { PluginLogger } from './plugin-logger.ts';

/** The services a handler context forwards to; implemented by PluginServer. */
export interface HandlerHost {
  readonly config: Record<string, unknown>;
  readonly dataDir: string;
  readonly log: PluginLogger;
  callTraced<Result>(traceId: string, capability: string, params: Record<string, unknown>, options: OutgoingCallOptions): Promise<Result>;
  emit(topic: string, data: unknown): void;
  subscribe(topic: string, listener: TopicListener): Promise<() => Promise<void>>;
}

/** Bus call options as the host sends them: any cancellation source, not only an AbortSignal. */
export type OutgoingCallOptions = Omit<PluginCallOptions, 'signal'> & { signal?: CancellationSignal };

const unknownCaller: Caller = { kind: 'kernel' };
const MAX_TIMER_MS = 2 ** 31 - 1;

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
/** Random bytes are drawn 4 KiB at a time: one getRandomValues per 256 ids instead of per id (~2.8 us each). */
const POOL_BYTES = 4096;
let randomPool = new Uint8Array(0);
let poolOffset = 0;

/** A random 32-hex-character trace id (W3C trace-context size). */
export function newTraceId(): string {
  if (poolOffset + 16 > randomPool.length) {
    randomPool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    poolOffset = 0;
  }
  let hex = '';
  for (let index = poolOffset; index < poolOffset + 16; index++) hex += HEX_BYTES[randomPool[index]!];
  poolOffset += 16;
  return hex;
}

/**
 * The `ctx` of one capability call. Its signal is built on first use, so handlers that never
 * look at it pay for no deadline timer.
 */
export class HandlerContext implements PluginContext {
  readonly #host: HandlerHost;
  readonly #method: string;
  readonly #request: IncomingRequestContext;
  readonly #meta: Partial<CallMeta>;
  #signal: AbortSignal | undefined;
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  #log: PluginLogger | undefined;

  readonly #receivedAt: number;

  /** `receivedAt` (epoch ms): when the call arrived, before its params were checked. */
  constructor(host: HandlerHost, method: string, request: IncomingRequestContext, meta: Partial<CallMeta> | undefined, receivedAt = Date.now()) {
    this.#receivedAt = receivedAt;
    this.#host = host;
    this.#method = method;
    this.#request = request;
    this.#meta = meta ?? {};
  }

  get signal(): AbortSignal {
    if (this.#signal) return this.#signal;
    const deadline = this.#meta.deadline;
    const remaining = typeof deadline === 'number' ? deadline - Date.now() : Number.POSITIVE_INFINITY;
    // setTimeout cannot wait longer than 2^31-1 ms; a deadline that far away is no deadline.
    if (typeof deadline !== 'number' || !(remaining < MAX_TIMER_MS)) return (this.#signal = this.#request.signal);
    const controller = new AbortController();
    const forward = () => controller.abort(this.#request.signal.reason);
    if (this.#request.signal.aborted) forward();
    else this.#request.signal.addEventListener('abort', forward, { once: true });
    // The Timeout's timeoutMs is what the call had (docs/protocol.md 5.1): its deadline less the time it arrived.
    const timeoutMs = Math.max(0, Math.round(deadline - this.#receivedAt));
    this.#deadlineTimer = setTimeout(() => controller.abort(timeoutError(this.#method, timeoutMs, 'total')), Math.max(0, remaining));
    return (this.#signal = controller.signal);
  }

  get caller(): Caller {
    return this.#meta.caller ?? unknownCaller;
  }

  get traceId(): string {
    return (this.#meta.traceId ??= newTraceId());
  }

  get deadline(): number {
    return this.#meta.deadline ?? Number.POSITIVE_INFINITY;
  }

  get config(): Record<string, unknown> {
    return this.#host.config;
  }

  get dataDir(): string {
    return this.#host.dataDir;
  }

  get log(): PluginLogger {
    return (this.#log ??= this.#host.log.child({ traceId: this.traceId }));
  }

  progress(chunk: unknown): void {
    this.#request.progress(chunk);
  }

  call<Result = unknown>(capability: string, params: Record<string, unknown> = {}, options: PluginCallOptions = {}): Promise<Result> {
    // A bus call made for this call ends with it: cancelling the handler cancels the inner call
    // too, and a signal of the handler's own only adds a way to cancel it sooner. Without one, the
    // handler's cancellation reaches the inner call without building an AbortSignal; the deadline
    // needs no timer here, because the kernel cancels this handler when it passes.
    const signal = options.signal === undefined ? (this.#signal ?? this.#request.cancellation) : AbortSignal.any([options.signal, this.signal]);
    return this.#host.callTraced(this.traceId, capability, params, { ...options, signal });
  }

  emit(topic: string, data: unknown): void {
    this.#host.emit(topic, data);
  }

  subscribe(topic: string, listener: TopicListener): Promise<() => Promise<void>> {
    return this.#host.subscribe(topic, listener);
  }

  /** Releases the deadline timer once the handler settled. */
  dispose(): void {
    if (this.#deadlineTimer) clearTimeout(this.#deadlineTimer);
  }
}
