import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Kernel } from '../kernel.ts';
import { PluginState } from '../lifecycle/plugin-state.ts';
import type { PluginSupervisor } from '../lifecycle/plugin-supervisor.ts';

/** Prefix of prom-client's default process metrics (CPU, memory, event loop, GC) of the kernel process. */
export const KERNEL_METRICS_PREFIX = 'cyberstudio_kernel_';

const PLUGIN_STATES = Object.values(PluginState);
const CAPABILITY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Answered requests kept before they are folded into the request metrics (and always at a scrape). */
const PENDING_REQUESTS = 512;

/** One answered HTTP request, not yet in the request metrics. */
interface AnsweredRequest {
  method: string;
  route: string;
  status: number;
  seconds: number;
}

/**
 * The gateway's Prometheus registry (one per gateway, never prom-client's global one, so two
 * kernels in one process do not mix): gateway requests and latency, open WebSockets, the
 * kernel process, and per plugin its state, restarts, CPU, memory, calls, errors, load and
 * capability latency. Values the kernel already keeps are read at scrape time, so a scrape
 * always shows the kernel as it is and nothing is copied between scrapes.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #duration: Histogram<'method' | 'route'>;
  readonly #sockets: Gauge<'endpoint'>;
  readonly #stopObservingCalls: () => void;
  // Folding a request into prom-client (hashing its labels for two metrics) is a few µs when done
  // on the request's own path, between other work; in batches it is a fraction of that.
  readonly #pending: AnsweredRequest[] = [];

  constructor(kernel: Kernel) {
    const registers = [this.registry];
    const fold = () => this.#fold();
    this.#requests = new Counter({ name: 'cyberstudio_gateway_requests_total', help: 'HTTP requests answered by the gateway.', labelNames: ['method', 'route', 'status'], registers, collect: fold });
    this.#duration = new Histogram({ name: 'cyberstudio_gateway_request_duration_seconds', help: 'Time from request to the end of the answer.', labelNames: ['method', 'route'], buckets: HTTP_BUCKETS, registers, collect: fold });
    this.#sockets = new Gauge({ name: 'cyberstudio_gateway_websockets_open', help: 'Open WebSocket connections per endpoint.', labelNames: ['endpoint'], registers });
    // prom-client keeps one GC observer and one event-loop monitor per call; a process runs one gateway.
    collectDefaultMetrics({ register: this.registry, prefix: KERNEL_METRICS_PREFIX });
    registerPluginMetrics(kernel, registers);
    const capabilityDuration = new Histogram({
      name: 'cyberstudio_capability_duration_seconds',
      help: 'Duration of settled capability calls (successes and errors), by provider and capability, since the gateway opened.',
      labelNames: ['plugin', 'capability'],
      buckets: CAPABILITY_BUCKETS,
      registers,
    });
    this.#stopObservingCalls = kernel.metrics.onRecord(({ plugin, capability, durationMs }) => capabilityDuration.observe({ plugin, capability }, durationMs / 1000));
  }

  /**
   * Records one answered HTTP request; `route` is the matched route pattern, never the raw path.
   * It reaches the request metrics within PENDING_REQUESTS requests, and before any scrape.
   */
  observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
    this.#pending.push({ method, route, status, seconds });
    if (this.#pending.length >= PENDING_REQUESTS) this.#fold();
  }

  #fold(): void {
    for (const { method, route, status, seconds } of this.#pending) {
      this.#requests.inc({ method, route, status: String(status) });
      this.#duration.observe({ method, route }, seconds);
    }
    this.#pending.length = 0;
  }

  /** Counts a WebSocket opened on `endpoint` (`/ws`, `/ws/plugins/logs`, ...). */
  webSocketOpened(endpoint: string): void {
    this.#sockets.inc({ endpoint });
  }

  /** Counts a WebSocket on `endpoint` closed. */
  webSocketClosed(endpoint: string): void {
    this.#sockets.dec({ endpoint });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops observing calls and empties the registry. Idempotent. */
  dispose(): void {
    this.#stopObservingCalls();
    this.registry.clear();
  }
}

/** The per-plugin families whose values the kernel holds; each is refilled from the kernel on every scrape. */
function registerPluginMetrics(kernel: Kernel, registers: Registry[]): void {
  new Gauge({
    name: 'cyberstudio_plugin_state',
    help: 'The state of each plugin: 1 for its current state, 0 for the others.',
    labelNames: ['plugin', 'state'],
    registers,
    collect() {
      this.reset();
      for (const supervisor of kernel.supervisors) {
        for (const state of PLUGIN_STATES) this.set({ plugin: supervisor.name, state }, supervisor.state === state ? 1 : 0);
      }
    },
  });
  const latestSample = (plugin: string) => kernel.telemetry.history(plugin, 1)[0];
  const families: Array<[type: typeof Gauge | typeof Counter, name: string, help: string, value: (plugin: PluginSupervisor) => number | undefined]> = [
    [Counter, 'cyberstudio_plugin_restarts_total', 'Automatic restarts after a crash since the kernel started.', (plugin) => plugin.restarts],
    [Gauge, 'cyberstudio_plugin_cpu_percent', 'CPU use of the plugin process in the latest telemetry sample (100 = one core).', (plugin) => latestSample(plugin.name)?.cpuPercent],
    [Gauge, 'cyberstudio_plugin_resident_memory_bytes', 'Resident memory of the plugin process in the latest telemetry sample (0 while it is not running).', (plugin) => latestSample(plugin.name)?.rssBytes],
    [Counter, 'cyberstudio_plugin_calls_total', 'Capability calls the plugin settled since the kernel started.', (plugin) => kernel.metrics.counters(plugin.name).calls],
    [Counter, 'cyberstudio_plugin_call_errors_total', 'Capability calls the plugin settled with an error since the kernel started.', (plugin) => kernel.metrics.counters(plugin.name).errors],
    [Gauge, 'cyberstudio_plugin_calls_in_flight', 'Calls the plugin is running now.', (plugin) => kernel.bus.load(plugin.name).active],
    [Gauge, 'cyberstudio_plugin_calls_queued', 'Calls waiting for a free slot of the plugin (limits.maxConcurrentCalls).', (plugin) => kernel.bus.load(plugin.name).queued],
  ];
  for (const [Type, name, help, value] of families) {
    new Type({
      name,
      help,
      labelNames: ['plugin'],
      registers,
      collect(this: Gauge<'plugin'> | Counter<'plugin'>) {
        this.reset();
        for (const supervisor of kernel.supervisors) {
          const current = value(supervisor);
          if (current === undefined) continue;
          if (this instanceof Gauge) this.set({ plugin: supervisor.name }, current);
          else this.inc({ plugin: supervisor.name }, current);
        }
      },
    });
  }
}
