import {
  BusError, ErrorCode, Method, TOPIC_NAME, TOPIC_PATTERN, isCapabilityName, matchesPattern,
  type Caller, type ConnectionDiagnostic, type IncomingRequestContext, type PublishParams, type SubscribeParams,
} from '@cyberstudio/sdk';
import type { PluginSupervisor } from '../lifecycle/plugin-supervisor.ts';
import type { KernelLogs } from '../telemetry/kernel-logs.ts';
import { parseRpcLog, type UnnumberedLogRecord } from '../telemetry/log-line-parser.ts';
import type { CapabilityBus } from './capability-bus.ts';
import type { TopicHub } from './topic-hub.ts';

/** What handling a plugin's messages needs from the kernel. */
export interface PluginMessagesHost {
  readonly bus: CapabilityBus;
  readonly topics: TopicHub;
  readonly logs: KernelLogs;
  supervisor(plugin: string): PluginSupervisor | undefined;
}

/**
 * The kernel's side of what a plugin sends it: capability calls routed through the bus as that
 * plugin, topic subscriptions and publishes under its permissions, and `$/log` records.
 */
export class PluginMessages {
  readonly #host: PluginMessagesHost;

  constructor(host: PluginMessagesHost) {
    this.#host = host;
  }

  /** Answers a request from `plugin`: a bus call, `$/subscribe` or `$/unsubscribe`. */
  request(plugin: string, method: string, params: unknown, context: IncomingRequestContext): unknown {
    if (method === Method.Subscribe || method === Method.Unsubscribe) return this.#subscription(plugin, method, params);
    if (!isCapabilityName(method)) throw new BusError(ErrorCode.MethodNotFound, `The kernel does not implement ${method}`, { method });
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new BusError(ErrorCode.CapabilityInvalidParams, `Params of ${method} must be a JSON object`, { capability: method, errors: [] });
    }
    const meta = (params as { _meta?: { traceId?: unknown; timeoutMs?: unknown } })._meta;
    const caller: Caller = { kind: 'plugin', name: plugin };
    return this.#host.bus.call(method, params as Record<string, unknown>, {
      caller,
      traceId: typeof meta?.traceId === 'string' ? meta.traceId : undefined,
      timeout: typeof meta?.timeoutMs === 'number' && meta.timeoutMs > 0 ? meta.timeoutMs : undefined,
      signal: context.cancellation,
      onProgress: (chunk) => context.progress(chunk),
    });
  }

  /** Handles a notification from `plugin`: `$/log` or `$/publish`; anything else is ignored. */
  notification(plugin: string, method: string, params: unknown): void {
    if (method === Method.Log) {
      this.#host.logs.append(parseRpcLog(params, plugin, Date.now()));
    } else if (method === Method.Publish) {
      this.#publish(plugin, (params ?? {}) as Partial<PublishParams>);
    }
  }

  #publish(plugin: string, { topic, data }: Partial<PublishParams>): void {
    if (typeof topic !== 'string' || !TOPIC_NAME.test(topic)) {
      this.#warn(plugin, `publish refused: topic ${JSON.stringify(topic)} is not a topic name (no '*', no whitespace)`);
      return;
    }
    const allowed = this.#host.supervisor(plugin)?.manifest.permissions.publish ?? [];
    if (!allowed.some((pattern) => matchesPattern(pattern, topic)) || topic.startsWith('kernel.')) {
      this.#warn(plugin, `publish to ${topic} refused: not in permissions.publish (kernel.* is reserved)`);
      return;
    }
    this.#host.topics.publish(topic, data, plugin);
  }

  #subscription(plugin: string, method: string, params: unknown): Record<string, never> {
    const topic = (params as Partial<SubscribeParams> | undefined)?.topic;
    if (typeof topic !== 'string' || !TOPIC_PATTERN.test(topic)) {
      throw new BusError(ErrorCode.InvalidParams, `${method} needs { topic }: '*', a topic, or a topic ending in '.*' (no other '*', no whitespace)`, { method });
    }
    const id = `plugin:${plugin}`;
    if (method === Method.Unsubscribe) {
      this.#host.topics.unsubscribe(id, topic);
      return {};
    }
    const allowed = this.#host.supervisor(plugin)?.manifest.permissions.subscribe ?? [];
    if (!allowed.some((pattern) => matchesPattern(pattern, topic))) {
      throw new BusError(ErrorCode.Forbidden, `Plugin '${plugin}' may not subscribe to ${topic}: add it to permissions.subscribe`, { capability: method, caller: { kind: 'plugin', name: plugin } });
    }
    this.#host.topics.subscribe(id, topic, (eventTopic, data, source) => {
      this.#host.supervisor(plugin)?.process?.notify(Method.Event, { topic: eventTopic, data, source });
    });
    return {};
  }

  #warn(plugin: string, msg: string): void {
    this.#host.logs.append({ time: Date.now(), plugin, level: 'warn', msg, source: 'kernel' });
  }
}

/** The log record for something a plugin wrote on stdout that was not a valid message. */
export function diagnosticRecord(plugin: string, diagnostic: ConnectionDiagnostic): UnnumberedLogRecord {
  const time = Date.now();
  switch (diagnostic.kind) {
    case 'invalid-json':
      return { time, plugin, level: 'warn' as const, msg: `skipped a non-JSON line on stdout: ${diagnostic.line}`, source: 'kernel' as const };
    case 'oversized':
      return { time, plugin, level: 'error' as const, msg: `dropped a ${diagnostic.bytes}-byte line on stdout: over the line size cap`, source: 'kernel' as const };
    case 'invalid-message':
      return { time, plugin, level: 'warn' as const, msg: `skipped a message that is not JSON-RPC 2.0: ${JSON.stringify(diagnostic.message).slice(0, 200)}`, source: 'kernel' as const };
    case 'unknown-response':
      return { time, plugin, level: 'debug' as const, msg: `ignored a response to unknown request id ${String(diagnostic.id)}`, source: 'kernel' as const };
    case 'write-failed':
      return { time, plugin, level: 'warn' as const, msg: `writing to the plugin failed: ${diagnostic.error}`, source: 'kernel' as const };
    default:
      return diagnostic satisfies never;
  }
}
