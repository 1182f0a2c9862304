import type Koa from 'koa';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { SAFE_METHODS, crossSiteRefusal } from './cross-site-guard.ts';
import type { GatewayContext } from './gateway-context.ts';
import { HttpError, errorBody, errorHeaders, httpStatusOf } from './http-errors.ts';
import { errorResponse } from './jsonrpc-messages.ts';
import { assertJsonContentType } from './read-body.ts';

/**
 * The first middleware of every request, in one function because it runs on every call: the
 * Host guard, the cross-site guard and the JSON content type of `/rpc` and `/api` for
 * state-changing methods, the error answer (catalog status, headers and body; a JSON-RPC error
 * object on /rpc), `Connection: close` while the gateway closes, and the request metrics by
 * route pattern.
 */
export function edgeMiddleware(gateway: GatewayContext): Koa.Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      const { host } = ctx.req.headers;
      if (!gateway.hosts.hostAllowed(host)) {
        throw new HttpError(421, new BusError(ErrorCode.Forbidden, gateway.hosts.hostRefusal(host), { reason: 'host', host: host ?? null }));
      }
      if (!SAFE_METHODS.has(ctx.method)) {
        const refused = crossSiteRefusal(ctx.req, gateway.hosts);
        if (refused) throw refused;
        if (takesJson(ctx.path)) assertJsonContentType(ctx.req);
      }
      await next();
    } catch (error) {
      const isHttp = error instanceof HttpError;
      const failure = isHttp ? error.error : BusError.from(error);
      if (!isHttp && !(error instanceof BusError)) gateway.logger.error({ err: error, path: ctx.path }, `gateway: ${ctx.method} ${ctx.path} failed: ${(error as Error).message}`);
      ctx.status = isHttp ? error.status : httpStatusOf(failure.code);
      ctx.set(errorHeaders(failure));
      if (isHttp) ctx.set(error.headers);
      ctx.body = ctx.path === '/rpc' ? errorResponse(null, failure) : isHttp && error.body !== undefined ? error.body : errorBody(failure);
    } finally {
      if (gateway.inFlight.closing && !ctx.res.headersSent) ctx.set('connection', 'close');
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? (ctx.state.route as string | undefined) ?? 'unmatched';
      gateway.metrics.observeHttpRequest(ctx.method, route, ctx.status, (performance.now() - started) / 1000);
    }
  };
}

/**
 * `/rpc` and the REST API take JSON bodies only (plugin routes check their own, once matched).
 * Compared in lower case, as the router matches paths: `/API/...` is the same route.
 */
function takesJson(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === '/rpc' || lower === '/rpc/' || lower === '/api' || lower.startsWith('/api/');
}
