import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayContext } from './gateway-context.ts';
import { WsEndpoint } from './ws-endpoint.ts';
import { WsRpcConnection } from './ws-rpc-connection.ts';

/**
 * `GET /ws`: JSON-RPC 2.0 over WebSocket for callers from outside. Anyone whose credential is
 * accepted (or who sends none) may connect; the access policy judges each call and subscription.
 */
export class WsRpcServer {
  readonly #gateway: GatewayContext;
  readonly #endpoint: WsEndpoint;

  constructor(gateway: GatewayContext) {
    this.#gateway = gateway;
    this.#endpoint = new WsEndpoint(gateway, '/ws', gateway.settings.limits.wsMessageBytes);
  }

  /** Takes over an upgrade of `/ws`: 401 for a rejected credential, 503 when no caller can be resolved. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    void this.#endpoint.accept(request, socket, head, {
      admit: () => undefined,
      open: (ws, _caller, headers) => new WsRpcConnection(this.#gateway, this.#endpoint, ws, headers),
    });
  }

  /** Answers every request in flight with ShuttingDown, aborts the calls and closes every socket with 1001 "kernel shutting down". Idempotent. */
  close(): Promise<void> {
    return this.#endpoint.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
