import { Counter, Gauge, type Registry } from 'prom-client';
import type { GatewayMetrics } from './gateway-metrics.ts';
import type { OutboundQueueStats } from './ws-outbound-queue.ts';

/** Reports the outbound queues of an endpoint's open sockets. */
export type QueueSource = () => Iterable<OutboundQueueStats>;

// One per registry: both WebSocket endpoints of a gateway share it, and prom-client refuses a name twice.
const perRegistry = new WeakMap<Registry, WsQueueMetrics>();

/**
 * Slow-consumer metrics of a gateway's WebSockets, per endpoint: events and reply bytes waiting
 * for clients that do not read fast enough, events dropped, sockets closed as too slow.
 */
export class WsQueueMetrics {
  readonly #sources = new Map<string, QueueSource>();
  readonly #dropped: Counter<'endpoint'>;
  readonly #slowCloses: Counter<'endpoint'>;

  private constructor(registry: Registry) {
    const sum = (pick: (stats: OutboundQueueStats) => number) => (gauge: Gauge<'endpoint'>) => {
      gauge.reset();
      for (const [endpoint, source] of this.#sources) {
        let total = 0;
        for (const stats of source()) total += pick(stats);
        gauge.set({ endpoint }, total);
      }
    };
    const queuedEvents = sum((stats) => stats.queuedEvents);
    const queuedBytes = sum((stats) => stats.queuedReplyBytes);
    new Gauge({
      name: 'cyberstudio_gateway_websocket_queued_events',
      help: 'Events (topics, logs, telemetry) waiting in the gateway for WebSocket clients that read slowly.',
      labelNames: ['endpoint'],
      registers: [registry],
      collect() {
        queuedEvents(this);
      },
    });
    new Gauge({
      name: 'cyberstudio_gateway_websocket_queued_reply_bytes',
      help: 'Bytes of responses and progress waiting in the gateway for WebSocket clients that read slowly.',
      labelNames: ['endpoint'],
      registers: [registry],
      collect() {
        queuedBytes(this);
      },
    });
    this.#dropped = new Counter({ name: 'cyberstudio_gateway_websocket_events_dropped_total', help: 'Events dropped because a WebSocket client read too slowly.', labelNames: ['endpoint'], registers: [registry] });
    this.#slowCloses = new Counter({ name: 'cyberstudio_gateway_websocket_slow_closes_total', help: 'WebSockets closed (1008) because unread responses exceeded gateway.limits.wsMaxBufferedBytes.', labelNames: ['endpoint'], registers: [registry] });
  }

  /** The instance of `metrics`' registry, created on first use. */
  static of(metrics: GatewayMetrics): WsQueueMetrics {
    let instance = perRegistry.get(metrics.registry);
    if (!instance) perRegistry.set(metrics.registry, (instance = new WsQueueMetrics(metrics.registry)));
    return instance;
  }

  /** Reports `endpoint`'s queues through `source` at every scrape. */
  addSource(endpoint: string, source: QueueSource): void {
    this.#sources.set(endpoint, source);
  }

  /** Counts `count` events dropped for a slow client of `endpoint`. */
  eventsDropped(endpoint: string, count: number): void {
    this.#dropped.inc({ endpoint }, count);
  }

  /** Counts one socket of `endpoint` closed as too slow. */
  closedSlow(endpoint: string): void {
    this.#slowCloses.inc({ endpoint });
  }
}
