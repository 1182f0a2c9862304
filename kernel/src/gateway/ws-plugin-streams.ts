import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { BusError } from '@cyberstudio/sdk';
import { LOG_LEVELS, toLogLevel, type LogLevel } from '../telemetry/log-record.ts';
import type { GatewayContext } from './gateway-context.ts';
import { WsEndpoint, refusal, refusalOf, type UpgradeRefusal } from './ws-endpoint.ts';
import { PluginStream, type PluginStreamKind } from './ws-plugin-stream.ts';

/** The capability whose access rule also opens each stream. */
const STREAM_CAPABILITY: Record<PluginStreamKind, string> = {
  logs: 'kernel.plugins.logs',
  telemetry: 'kernel.plugins.telemetry',
  status: 'kernel.plugins.get',
};

/** Clients only listen on these streams; anything they send is ignored, so keep what they may send small. */
const STREAM_MAX_PAYLOAD_BYTES = 4096;

/**
 * `WS /ws/plugins/:id/logs|telemetry|status`: push-only live streams of one plugin, for
 * dashboards that want no JSON-RPC. Opening one needs the access that the matching
 * `kernel.plugins.*` capability needs.
 */
export class PluginStreams {
  readonly #gateway: GatewayContext;
  readonly #endpoint: WsEndpoint;

  constructor(gateway: GatewayContext) {
    this.#gateway = gateway;
    this.#endpoint = new WsEndpoint(gateway, '/ws/plugins', STREAM_MAX_PAYLOAD_BYTES);
  }

  /**
   * Takes over an upgrade of a stream: 401 for a rejected (or, when access needs one, missing)
   * credential, 403 without access, 404 for an unknown plugin, 400 for a bad `level`.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, plugin: string, stream: PluginStreamKind): void {
    const query = new URL(request.url ?? '/', 'http://gateway').searchParams;
    const capability = STREAM_CAPABILITY[stream];
    const kernel = this.#gateway.kernel;
    const levelParam = stream === 'logs' ? query.get('level') : null;
    const level: LogLevel | undefined = levelParam === null ? undefined : toLogLevel(levelParam);
    void this.#endpoint.accept(request, socket, head, {
      // Access first, so a caller who may not read streams learns nothing about which plugins exist.
      admit: (caller): UpgradeRefusal | undefined => {
        try {
          this.#gateway.policy.assertCall(caller, capability);
        } catch (error) {
          return refusalOf(BusError.from(error));
        }
        if (!kernel.supervisors.some((supervisor) => supervisor.name === plugin)) return refusal(404, `no plugin named '${plugin}'`);
        if (levelParam !== null && level === undefined) return refusal(400, `level must be one of ${LOG_LEVELS.join(', ')}`);
        return undefined;
      },
      open: (ws) =>
        new PluginStream({
          gateway: this.#gateway,
          socket: ws,
          queue: this.#endpoint.queueFor(ws, () => {}),
          plugin,
          kind: stream,
          logFilter: { level, q: query.get('q') || undefined },
          allows: (caller) => this.#gateway.policy.canCall(caller, capability),
        }),
    });
  }

  /** Closes every stream with 1001 "kernel shutting down". Idempotent. */
  close(): Promise<void> {
    return this.#endpoint.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
