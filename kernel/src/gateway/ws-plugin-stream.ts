import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { KernelTopic } from '../kernel.ts';
import type { PluginSupervisor } from '../lifecycle/plugin-supervisor.ts';
import type { StateChange } from '../lifecycle/plugin-state.ts';
import { MAX_QUERY_LIMIT, recordMatcher } from '../telemetry/log-query.ts';
import type { LogLevel } from '../telemetry/log-record.ts';
import type { PluginTelemetrySample } from '../telemetry/telemetry-sampler.ts';
import type { GatewayContext } from './gateway-context.ts';
import type { UserCaller } from './identity-resolver.ts';
import type { WsSession } from './ws-endpoint.ts';
import type { OutboundQueue, OutboundQueueStats } from './ws-outbound-queue.ts';

/** The live streams of a plugin. */
export type PluginStreamKind = 'logs' | 'telemetry' | 'status';

/** Records the logs stream sends before the live ones: the newest that match, newest last. */
export const LOG_TAIL_RECORDS = 100;

/** What one stream needs. */
export interface PluginStreamOptions {
  gateway: GatewayContext;
  socket: WebSocket;
  queue: OutboundQueue;
  plugin: string;
  kind: PluginStreamKind;
  /** logs only: the least severe level, and a case-insensitive text the message or fields contain. */
  logFilter: { level?: LogLevel; q?: string };
  /** True while `caller` may keep the stream open. */
  allows(caller: UserCaller): boolean;
}

// Every message of a stream counts drops together: the next message carries how many went before it.
const STREAM = 'stream';

/**
 * One push-only stream of one plugin: `{type: "log", record}`, `{type: "telemetry", sample}` or
 * `{type: "status", plugin, change?}` messages, the current state first, then live. Messages
 * are droppable: a client that reads slowly loses the oldest, and the next message it gets
 * carries `dropped: n`.
 */
export class PluginStream implements WsSession {
  readonly #options: PluginStreamOptions;
  readonly #end: () => void;
  #closed = false;

  constructor(options: PluginStreamOptions) {
    this.#options = options;
    const { socket, gateway } = options;
    socket.on('error', (error) => gateway.logger.debug({ err: error }, `/ws/plugins: ${error.message}`));
    socket.once('close', () => this.#stop());
    this.#end = options.kind === 'logs' ? this.#streamLogs() : options.kind === 'telemetry' ? this.#streamTelemetry() : this.#streamStatus();
  }

  /** The outbound queue's state. */
  get stats(): OutboundQueueStats {
    return this.#options.queue.stats;
  }

  /** True while `caller` may keep the stream open. */
  allows(caller: UserCaller): boolean {
    return this.#options.allows(caller);
  }

  /** Stops streaming and closes the socket with `code`. Idempotent. */
  close(code: number, reason: string): void {
    this.#stop();
    if (this.#options.socket.readyState === WebSocket.OPEN) this.#options.socket.close(code, reason);
  }

  #stop(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#end();
    this.#options.queue.close();
  }

  #send(type: string, body: Record<string, unknown>): void {
    this.#options.queue.sendEvent(STREAM, (dropped) => JSON.stringify(dropped > 0 ? { type, ...body, dropped } : { type, ...body }));
  }

  #streamLogs(): () => void {
    const { gateway, plugin, logFilter } = this.#options;
    const matches = recordMatcher({ plugin, ...logFilter });
    // The in-memory tail, read synchronously, so no record falls between the tail and the live listener.
    const tail = gateway.kernel.logs.recent(plugin, MAX_QUERY_LIMIT).filter(matches).slice(-LOG_TAIL_RECORDS);
    for (const record of tail) this.#send('log', { record });
    return gateway.kernel.logs.onRecord((record) => {
      if (!matches(record)) return;
      try {
        this.#send('log', { record });
      } catch (error) {
        // KernelLogs.append runs listeners inline: one socket's failure must not stop the plugin's logging.
        gateway.logger.warn({ err: error }, `/ws/plugins log delivery failed: ${(error as Error).message}`);
      }
    });
  }

  #streamTelemetry(): () => void {
    const { gateway, plugin } = this.#options;
    const last = gateway.kernel.telemetry.history(plugin, 1)[0];
    if (last) this.#send('telemetry', { sample: last });
    return this.#onTopic(KernelTopic.Telemetry, (data) => {
      const sample = Array.isArray(data) ? (data as PluginTelemetrySample[]).find((candidate) => candidate?.plugin === plugin) : undefined;
      if (sample) this.#send('telemetry', { sample });
    });
  }

  #streamStatus(): () => void {
    const { gateway, plugin } = this.#options;
    const supervisorOf = () => gateway.kernel.supervisors.find((candidate) => candidate.name === plugin);
    const first = supervisorOf();
    if (first) this.#send('status', { plugin: statusOf(first) });
    return this.#onTopic(KernelTopic.PluginState, (data) => {
      const change = data as StateChange | null;
      const supervisor = supervisorOf();
      if (change?.plugin !== plugin || !supervisor) return;
      this.#send('status', { plugin: { ...statusOf(supervisor), state: change.to }, change });
    });
  }

  #onTopic(topic: string, sink: (data: unknown) => void): () => void {
    const topics = this.#options.gateway.kernel.topics;
    const subscriber = `ws-stream:${randomUUID()}`;
    topics.subscribe(subscriber, topic, (_topic, data) => sink(data));
    return () => topics.removeSubscriber(subscriber);
  }
}

/** The plugin's state as the status stream shows it (the list entry of kernel.plugins.list, without load and capabilities). */
function statusOf(supervisor: PluginSupervisor) {
  return {
    name: supervisor.name,
    state: supervisor.state,
    enabled: supervisor.manifest.enabled,
    activation: supervisor.manifest.activation,
    pid: supervisor.process?.pid ?? null,
    startedAt: supervisor.startedAt ?? null,
    restarts: supervisor.restarts,
    lastError: supervisor.lastError ?? null,
  };
}
