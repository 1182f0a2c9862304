import type Koa from 'koa';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import type { GatewayContext } from './gateway-context.ts';
import { hostAllowed } from './host-guard.ts';
import { HttpError, errorBody, errorHeaders, httpStatusOf } from './http-errors.ts';
import { errorResponse } from './jsonrpc-messages.ts';

/**
 * The first middleware of every request, in one function because it runs on every call: the
 * Host guard, the error answer (catalog status, headers and body; a JSON-RPC error object on
 * /rpc), and the request metrics by route pattern.
 */
export function edgeMiddleware(gateway: GatewayContext): Koa.Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      if (!hostAllowed(ctx.req, gateway.identity.enabled)) {
        throw new HttpError(421, new BusError(ErrorCode.Forbidden, `Host '${ctx.get('host')}' is not served: without gateway.auth only loopback names (127.0.0.1, localhost) are accepted`, { reason: 'host', host: ctx.get('host') }));
      }
      await next();
    } catch (error) {
      const isHttp = error instanceof HttpError;
      const failure = isHttp ? error.error : BusError.from(error);
      if (!isHttp && !(error instanceof BusError)) gateway.logger.error({ err: error, path: ctx.path }, `gateway: ${ctx.method} ${ctx.path} failed: ${(error as Error).message}`);
      ctx.status = isHttp ? error.status : httpStatusOf(failure.code, failure.data);
      ctx.set(errorHeaders(failure));
      ctx.body = ctx.path === '/rpc' ? errorResponse(null, failure) : errorBody(failure);
    } finally {
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? (ctx.state.route as string | undefined) ?? 'unmatched';
      gateway.metrics.observeHttpRequest(ctx.method, route, ctx.status, (performance.now() - started) / 1000);
    }
  };
}
