import { Agent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type Koa from 'koa';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { isGatewayPath, normalizeMount, type Registry } from '../registry/index.ts';
import type { GatewayContext } from './gateway-context.ts';
import { HttpError, httpStatusOf } from './http-errors.ts';
import { downstreamHeaders, stripPrefix, upgradeHead, upstreamHeaders } from './proxy-headers.ts';
import { rejectUpgrade } from './reject-upgrade.ts';
import { isOpenAiPath } from './unmatched-request.ts';

/** A mounted plugin: its normalized prefix and name. */
interface Mount {
  prefix: string;
  plugin: string;
}

/** Plugins serve on loopback only. */
const UPSTREAM_HOST = '127.0.0.1';

/**
 * Plugins' `http.mount`: a reverse proxy, HTTP and WebSocket upgrades, from a path prefix to the
 * loopback port the plugin reported in its handshake. The longest prefix wins, "/" catches what
 * nothing else served (never the gateway's own paths nor /v1). A mounted plugin that is not running is
 * started by the request. Mounts are public: the gateway checks no identity here, the mounted
 * app authenticates its users through /api and /ws itself.
 */
export class PluginMounts {
  readonly #gateway: GatewayContext;
  readonly #agent = new Agent({ keepAlive: true });
  readonly #open = new Set<ClientRequest | Duplex>();
  #registry: Registry | undefined;
  #mounts: Mount[] = [];
  #closed = false;

  constructor(gateway: GatewayContext) {
    this.#gateway = gateway;
  }

  /** Proxies requests under a mount; calls `next` for every other path. */
  middleware(): Koa.Middleware {
    return async (ctx, next) => {
      const mount = this.#match(ctx.path);
      if (!mount) return next();
      ctx.state.route = `mount ${mount.prefix}`;
      const port = await this.#portOf(mount);
      await this.#proxy(ctx, mount, port);
    };
  }

  /** Proxies a WebSocket upgrade under a mount; false when no mount matches. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const mount = this.#match((request.url ?? '/').split('?')[0]!);
    if (!mount) return false;
    void this.#tunnel(request, socket, head, mount);
    return true;
  }

  /** Cuts every proxied request and tunnel still open. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const connection of this.#open) connection.destroy();
    this.#open.clear();
    this.#agent.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #match(path: string): Mount | undefined {
    if (isGatewayPath(path)) return undefined;
    const registry = this.#gateway.kernel.registry;
    if (registry !== this.#registry) {
      this.#registry = registry;
      this.#mounts = registry.plugins
        .filter((plugin) => plugin.http?.mount !== undefined)
        .map((plugin) => ({ prefix: normalizeMount(plugin.http!.mount!), plugin: plugin.name }))
        .sort((a, b) => b.prefix.length - a.prefix.length);
    }
    // The root mount serves web pages: it must not answer an OpenAI client's mistyped /v1 path with one.
    return this.#mounts.find(({ prefix }) => (prefix === '/' ? !isOpenAiPath(path) : path === prefix || path.startsWith(`${prefix}/`)));
  }

  /** The port of a mounted plugin, started if needed: 503 when it cannot run, 502 when it serves no HTTP. */
  async #portOf(mount: Mount): Promise<number> {
    const { kernel } = this.#gateway;
    let handshake;
    try {
      handshake = (await kernel.supervisor(mount.plugin).start({ reason: 'request to its mount', explicit: false })).handshake;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const state = kernel.supervisors.find((supervisor) => supervisor.name === mount.plugin)?.state ?? 'unknown';
      throw new BusError(ErrorCode.PluginNotRunning, `Plugin '${mount.plugin}' (mounted at ${mount.prefix}) is not running: ${reason}`, { plugin: mount.plugin, state, reason });
    }
    const port = handshake.http?.port;
    if (port === undefined) {
      throw new HttpError(502, new BusError(ErrorCode.InternalError, `Plugin '${mount.plugin}' is mounted at ${mount.prefix} but reported no HTTP port: its initialize result needs http: { port } (the SDK's definePlugin({ http }) hook)`, { plugin: mount.plugin, mount: mount.prefix, reason: 'no http port' }));
    }
    return port;
  }

  /** Streams the request to the plugin and its answer back; settles when the exchange is over. */
  #proxy(ctx: Koa.Context, mount: Mount, port: number): Promise<void> {
    const { req, res } = ctx;
    return new Promise<void>((resolve, reject) => {
      const upstream = httpRequest({ host: UPSTREAM_HOST, port, method: req.method, path: stripPrefix(req.url ?? '/', mount.prefix), headers: upstreamHeaders(req, mount.prefix, false), agent: this.#agent });
      this.#track(upstream);
      res.once('close', () => {
        if (!res.writableFinished) upstream.destroy();
        resolve();
      });
      upstream.once('response', (answer) => {
        ctx.respond = false;
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, downstreamHeaders(answer));
        answer.pipe(res);
        // A plugin that dies mid-body must not leave the client waiting for the rest.
        answer.on('error', () => res.destroy());
        answer.once('aborted', () => res.destroy());
      });
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (ctx.respond === false) return void res.destroy();
        const reason = error.code ?? error.message;
        reject(new HttpError(502, new BusError(ErrorCode.ConnectionClosed, `Plugin '${mount.plugin}' (mounted at ${mount.prefix}) did not answer on ${UPSTREAM_HOST}:${port}: ${reason}`, { plugin: mount.plugin, mount: mount.prefix, reason })));
      });
      req.on('error', () => upstream.destroy());
      req.pipe(upstream);
    });
  }

  /** Replays a WebSocket handshake to the plugin over a raw socket, then pipes both ways. */
  async #tunnel(request: IncomingMessage, socket: Duplex, head: Buffer, mount: Mount): Promise<void> {
    let port: number;
    try {
      port = await this.#portOf(mount);
    } catch (error) {
      const failure = error instanceof HttpError ? error : undefined;
      const status = failure?.status ?? httpStatusOf(BusError.from(error).code);
      return rejectUpgrade(socket, status, (failure?.error ?? BusError.from(error)).message);
    }
    if (socket.destroyed || this.#closed) return void socket.destroy();
    const upstream: Socket = connect(port, UPSTREAM_HOST);
    this.#track(upstream);
    this.#track(socket);
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      this.#open.delete(socket);
      rejectUpgrade(socket, 502, `Plugin '${mount.plugin}' (mounted at ${mount.prefix}) did not answer on ${UPSTREAM_HOST}:${port}: ${error.code ?? error.message}`);
    });
    upstream.once('connect', () => {
      upstream.removeAllListeners('error');
      upstream.setNoDelay(true);
      const path = stripPrefix(request.url ?? '/', mount.prefix);
      upstream.write(upgradeHead(request, path, upstreamHeaders(request, mount.prefix, true)));
      if (head.length > 0) upstream.write(head);
      const destroyBoth = () => {
        upstream.destroy();
        socket.destroy();
      };
      for (const side of [upstream, socket]) {
        side.on('error', destroyBoth);
        side.once('close', destroyBoth);
      }
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
  }

  #track(connection: ClientRequest | Duplex): void {
    this.#open.add(connection);
    connection.once('close', () => this.#open.delete(connection));
  }
}
