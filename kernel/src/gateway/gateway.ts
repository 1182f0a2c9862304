import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';
import type { Kernel } from '../kernel.ts';
import type { GatewaySettings } from '../registry/index.ts';
import { edgeMiddleware } from './edge-middleware.ts';
import { GatewayContext } from './gateway-context.ts';
import { GatewayMetrics } from './gateway-metrics.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { isLoopbackHost } from './host-guard.ts';
import { PluginMounts } from './plugin-mounts.ts';
import { pluginRoutes } from './plugin-routes.ts';
import { registerRestApi } from './rest-api.ts';
import { rejectUpgrade } from './reject-upgrade.ts';
import { rpcEndpoint } from './rpc-route.ts';
import { unmatchedRequest } from './unmatched-request.ts';
import { PluginStreams } from './ws-plugin-streams.ts';
import { WsRpcServer } from './ws-rpc-server.ts';

/** How to open a gateway. */
export interface GatewayOptions {
  kernel: Kernel;
  /** The `gateway` section in force, host and port already overridden by flags and environment. */
  settings: GatewaySettings;
  logger: Logger;
}

/** How long close() lets in-flight HTTP requests finish before cutting their connections. */
const CLOSE_GRACE_MS = 2000;

/**
 * The kernel's one port: JSON-RPC over HTTP (`/rpc`) and WebSocket (`/ws`), the management
 * REST API (`/api`), live streams (`/ws/plugins/:id/...`), `/health`, `/metrics`, plugin
 * routes and mounts.
 */
export class Gateway {
  readonly context: GatewayContext;
  readonly #server: Server;
  readonly #ws: WsRpcServer;
  readonly #streams: PluginStreams;
  readonly #mounts: PluginMounts;
  #closing: Promise<void> | undefined;

  private constructor(options: GatewayOptions) {
    const metrics = new GatewayMetrics(options.kernel);
    this.context = new GatewayContext(options.kernel, options.settings, options.logger, metrics);
    this.#ws = new WsRpcServer(this.context);
    this.#streams = new PluginStreams(this.context);
    this.#mounts = new PluginMounts(this.context);
    const app = this.#buildApp();
    this.#server = createServer(app.callback());
    this.#server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.#onUpgrade(request, socket, head));
    this.#server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  /**
   * Opens the gateway and listens. Throws LocalError CDS_ERR_GATEWAY_INSECURE_BIND when the
   * host is not loopback and no auth capability is configured, and
   * CDS_ERR_GATEWAY_LISTEN_FAILED when the port cannot be bound.
   */
  static async listen(options: GatewayOptions): Promise<Gateway> {
    const { host, port } = options.settings;
    if (!options.settings.auth && !isLoopbackHost(host)) {
      throw new LocalError(
        LocalErrorCode.GatewayInsecureBind,
        `Refusing to listen on ${host}: no auth capability is configured (gateway.auth in plugins.json), so every request would act as the admin. Listen on 127.0.0.1, or configure gateway.auth.`,
        { host },
      );
    }
    const gateway = new Gateway(options);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        const reason = error.code === 'EADDRINUSE' ? `port ${port} is already in use` : error.code === 'EADDRNOTAVAIL' ? `${host} is not an address of this machine` : error.message;
        reject(new LocalError(LocalErrorCode.GatewayListenFailed, `The gateway cannot listen on ${host}:${port}: ${reason}`, { host, port, reason }, { cause: error }));
      };
      gateway.#server.once('error', onError);
      gateway.#server.listen(port, host, () => {
        gateway.#server.off('error', onError);
        resolve();
      });
    }).catch(async (error: unknown) => {
      await gateway.#disposeParts();
      throw error;
    });
    return gateway;
  }

  /** The bound address, e.g. http://127.0.0.1:6813. */
  get url(): string {
    const address = this.#server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /**
   * Stops accepting; answers the calls still running over HTTP (/rpc, plugin routes) and /ws
   * with ShuttingDown (-32011; HTTP 503), closes WebSockets (1001), lets the answers go out for a
   * moment, then cuts what is left. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(): Promise<void> {
    this.context.inFlight.shutDown();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    await this.#disposeParts();
    const grace = setTimeout(() => this.#server.closeAllConnections(), CLOSE_GRACE_MS);
    await closed;
    clearTimeout(grace);
  }

  async #disposeParts(): Promise<void> {
    await Promise.allSettled([this.#ws.close(), this.#streams.close(), this.#mounts.close()]);
    this.context.metrics.dispose();
  }

  #buildApp(): Koa {
    const gateway = this.context;
    const app = new Koa();
    app.proxy = false;
    app.silent = true;
    app.on('error', (error: Error) => gateway.logger.warn({ err: error }, `gateway: ${error.message}`));
    app.use(edgeMiddleware(gateway));
    const router = new Router();
    registerHealthRoutes(router, gateway);
    const identify: Koa.Middleware = async (ctx, next) => {
      ctx.state.caller = await gateway.callerOf(ctx.headers);
      await next();
    };
    router.use('/api', identify);
    registerRestApi(router, gateway);
    app.use(rpcEndpoint(gateway));
    app.use(router.routes());
    app.use(pluginRoutes(gateway));
    app.use(this.#mounts.middleware());
    app.use(unmatchedRequest(router, gateway));
    return app;
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    (socket as Socket).setNoDelay?.(true);
    socket.on('error', () => socket.destroy());
    const { hosts } = this.context;
    const { host, origin } = request.headers;
    if (!hosts.hostAllowed(host)) return rejectUpgrade(socket, 421, 'Misdirected Request');
    // A browser always sends Origin on a WebSocket handshake; clients without one (CLI, services) are not browsers.
    if (origin !== undefined && !hosts.originAllowed(origin, host)) return rejectUpgrade(socket, 403, 'Forbidden: cross-origin WebSocket (add the origin to gateway.allowedOrigins)');
    const path = (request.url ?? '/').split('?')[0]!;
    if (path === '/ws') return this.#ws.handleUpgrade(request, socket, head);
    const stream = /^\/ws\/plugins\/([^/]+)\/(logs|telemetry|status)$/.exec(path);
    if (stream) return this.#streams.handleUpgrade(request, socket, head, decodeURIComponent(stream[1]!), stream[2] as 'logs' | 'telemetry' | 'status');
    if (this.#mounts.handleUpgrade(request, socket, head)) return;
    rejectUpgrade(socket, 404, 'Not Found');
  }
}
