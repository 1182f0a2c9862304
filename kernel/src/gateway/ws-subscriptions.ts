import { randomUUID } from 'node:crypto';
import { BusError, ErrorCode, Method, TOPIC_PATTERN } from '@cyberstudio/sdk';
import { KernelTopic, type Kernel } from '../kernel.ts';
import type { StateChange } from '../lifecycle/plugin-state.ts';
import { recordMatcher } from '../telemetry/log-query.ts';
import { LOG_LEVELS, toLogLevel, type LogLevel } from '../telemetry/log-record.ts';
import type { PluginTelemetrySample } from '../telemetry/telemetry-sampler.ts';

/** The topic of the kernel's log records. They come from kernel.logs, not the topic hub, so only this exact name matches them. */
export const LOG_TOPIC = 'kernel.log';

/** Most subscriptions one socket may hold, so a client cannot grow the kernel's subscriber tables without bound. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 1000;

/** A validated `$/subscribe` request. */
export interface SubscribeRequest {
  /** A topic, `prefix.*` or `*`. */
  topic: string;
  /** Only events about (kernel topics) or published by (other topics) this plugin. */
  plugin?: string;
  /** kernel.log only: the least severe level delivered. */
  level?: LogLevel;
}

/** Receives one event of subscription `subscription`. */
export type EventDelivery = (subscription: string, topic: string, source: string, data: unknown) => void;

const KNOWN_PARAMS = new Set(['topic', 'plugin', 'level']);

/** Checks `$/subscribe` params against the kernel's plugins; throws InvalidParams (-32602) saying what is wrong. */
export function parseSubscribeParams(params: Record<string, unknown>, kernel: Kernel): SubscribeRequest {
  const unknown = Object.keys(params).find((key) => !KNOWN_PARAMS.has(key));
  if (unknown !== undefined) throw invalidParams(`/${unknown}`, `unknown param '${unknown}' (expected topic, plugin, level)`);
  const { topic, plugin, level } = params;
  if (typeof topic !== 'string' || !TOPIC_PATTERN.test(topic)) {
    throw invalidParams('/topic', `topic must be a topic (build.done), a prefix pattern (build.*) or *, not ${JSON.stringify(topic ?? null)}`);
  }
  const request: SubscribeRequest = { topic };
  if (plugin !== undefined) {
    if (typeof plugin !== 'string' || !kernel.supervisors.some((supervisor) => supervisor.name === plugin)) {
      throw invalidParams('/plugin', `no plugin named ${JSON.stringify(plugin)}`);
    }
    request.plugin = plugin;
  }
  if (level !== undefined) {
    if (topic !== LOG_TOPIC) throw invalidParams('/level', `level applies only to the ${LOG_TOPIC} topic`);
    const parsed = toLogLevel(level);
    if (parsed === undefined) throw invalidParams('/level', `level must be one of ${LOG_LEVELS.join(', ')}, not ${JSON.stringify(level)}`);
    request.level = parsed;
  }
  return request;
}

/**
 * The subscriptions of one socket: topic-hub subscribers for topics and patterns, log listeners
 * for kernel.log. dispose() removes every one of them from the kernel.
 */
export class Subscriptions {
  readonly #kernel: Kernel;
  readonly #deliver: EventDelivery;
  // Topic-hub subscriber ids must be unique across sockets and gateways sharing the kernel.
  readonly #prefix = `ws:${randomUUID()}:`;
  readonly #active = new Map<string, { topic: string; end: () => void }>();
  #next = 1;
  #disposed = false;

  constructor(kernel: Kernel, deliver: EventDelivery) {
    this.#kernel = kernel;
    this.#deliver = deliver;
  }

  /** Starts delivering `request`'s events; returns the subscription id. Throws Overloaded past MAX_SUBSCRIPTIONS_PER_SOCKET. */
  add(request: SubscribeRequest): string {
    if (this.#disposed) throw new BusError(ErrorCode.ConnectionClosed, 'Connection closed: the WebSocket closed', { reason: 'the WebSocket closed' });
    if (this.#active.size >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
      throw new BusError(ErrorCode.Overloaded, `Too many subscriptions on this WebSocket: the limit is ${MAX_SUBSCRIPTIONS_PER_SOCKET}`, { limit: MAX_SUBSCRIPTIONS_PER_SOCKET, reason: 'ws-subscriptions' });
    }
    const id = `s${this.#next++}`;
    const end = request.topic === LOG_TOPIC ? this.#onLogs(id, request) : this.#onTopic(id, request);
    this.#active.set(id, { topic: request.topic, end });
    return id;
  }

  /** Ends subscription `id`; false when there is none. */
  remove(id: string): boolean {
    const entry = this.#active.get(id);
    if (!entry) return false;
    entry.end();
    this.#active.delete(id);
    return true;
  }

  /** The topics of the active subscriptions. */
  topics(): string[] {
    return [...this.#active.values()].map((entry) => entry.topic);
  }

  /** Ends every subscription; later add() calls fail. Idempotent. */
  dispose(): void {
    this.#disposed = true;
    for (const id of [...this.#active.keys()]) this.remove(id);
  }

  #onLogs(id: string, request: SubscribeRequest): () => void {
    const matches = recordMatcher({ plugin: request.plugin, level: request.level });
    return this.#kernel.logs.onRecord((record) => {
      if (!matches(record)) return;
      try {
        this.#deliver(id, LOG_TOPIC, 'kernel', record);
      } catch (error) {
        // KernelLogs.append runs listeners inline: one socket's failure must not stop the plugin's logging.
        this.#kernel.logger.warn({ err: error }, `WebSocket log delivery failed: ${(error as Error).message}`);
      }
    });
  }

  #onTopic(id: string, request: SubscribeRequest): () => void {
    const subscriber = this.#prefix + id;
    const { plugin } = request;
    this.#kernel.topics.subscribe(subscriber, request.topic, (topic, data, source) => {
      const shown = plugin === undefined ? data : aboutPlugin(topic, data, source, plugin);
      if (shown !== undefined) this.#deliver(id, topic, source, shown);
    });
    return () => this.#kernel.topics.removeSubscriber(subscriber);
  }
}

/** The part of an event that concerns `plugin`, or undefined: kernel topics are about a plugin, other topics are published by one. */
function aboutPlugin(topic: string, data: unknown, source: string, plugin: string): unknown {
  if (topic === KernelTopic.PluginState) return (data as StateChange | null)?.plugin === plugin ? data : undefined;
  if (topic === KernelTopic.Telemetry) {
    if (!Array.isArray(data)) return undefined;
    const samples = (data as PluginTelemetrySample[]).filter((sample) => sample?.plugin === plugin);
    return samples.length > 0 ? samples : undefined;
  }
  return source === plugin ? data : undefined;
}

function invalidParams(path: string, message: string): BusError {
  return new BusError(ErrorCode.InvalidParams, `Invalid params for ${Method.Subscribe}: ${message}`, {
    method: Method.Subscribe,
    errors: [{ instancePath: path, message, keyword: 'subscribe', params: {} }],
  });
}
