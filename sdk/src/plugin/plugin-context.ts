import type { Caller, EventParams } from '../protocol/messages.ts';
import type { PluginLogger } from './plugin-logger.ts';

/** Options of a bus call made by a plugin. */
export interface PluginCallOptions {
  /** Cancels the call. Through a handler's `ctx.call`, the handler's own cancellation cancels it as well. */
  signal?: AbortSignal;
  /** Idle timeout in ms; the kernel also applies its own limits. */
  timeout?: number;
  /** Receives the provider's streamed chunks. */
  onProgress?(chunk: unknown): void;
}

/** Receives events of a subscribed topic. */
export type TopicListener = (data: unknown, event: EventParams) => void;

/** What a plugin can do on the bus at any time, inside or outside a call. */
export interface PluginServices<Config = Record<string, unknown>> {
  /** The plugin's config from plugins.json, validated against its configSchema. */
  readonly config: Config;
  /** A directory the plugin owns for its files. */
  readonly dataDir: string;
  readonly log: PluginLogger;
  /** Calls another plugin's capability through the kernel. */
  call<Result = unknown>(capability: string, params?: Record<string, unknown>, options?: PluginCallOptions): Promise<Result>;
  /** Publishes an event on a topic. */
  emit(topic: string, data: unknown): void;
  /** Subscribes to a topic pattern; resolves with a function that unsubscribes. */
  subscribe(topic: string, listener: TopicListener): Promise<() => Promise<void>>;
}

/** The second argument of every capability handler. */
export interface PluginContext<Config = Record<string, unknown>> extends PluginServices<Config> {
  /** Aborted when the caller cancels, the deadline passes, or the plugin shuts down. */
  readonly signal: AbortSignal;
  /** Who called: a user with roles, a plugin, or the kernel. */
  readonly caller: Caller;
  readonly traceId: string;
  /** Epoch ms after which the caller has given up. */
  readonly deadline: number;
  /** Streams one chunk to the caller before the result. */
  progress(chunk: unknown): void;
}
