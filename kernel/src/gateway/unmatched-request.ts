import type Router from '@koa/router';
import type Koa from 'koa';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import type { GatewayContext } from './gateway-context.ts';
import { HttpError } from './http-errors.ts';
import { RouteTable } from './route-table.ts';

/** The OpenAI-compatible API's prefix: errors there take OpenAI's shape, and the root mount never serves it. */
const OPENAI_PREFIX = '/v1';

/** True for `/v1` and paths under it. */
export function isOpenAiPath(path: string): boolean {
  return path === OPENAI_PREFIX || path.startsWith(`${OPENAI_PREFIX}/`);
}

/**
 * The last middleware, for a request nothing served: when a REST or plugin route has this path
 * with other methods, 405 with `Allow` (an OPTIONS request gets 204 with `Allow`); otherwise 404.
 * Both are JSON errors, so an API client never gets a web page for a mistyped path: under /v1 in
 * OpenAI's shape (`{ error: { message, type, code, param } }`), elsewhere the gateway's usual body.
 */
export function unmatchedRequest(router: Router, gateway: GatewayContext): Koa.Middleware {
  return async (ctx) => {
    const allowed = allowedMethods(router, gateway, ctx.path);
    if (allowed.length > 0 && ctx.method === 'OPTIONS') {
      ctx.set('allow', allowed.join(', '));
      ctx.status = 204;
      return;
    }
    const openAi = isOpenAiPath(ctx.path);
    if (allowed.length > 0) {
      const message = `${ctx.method} is not allowed on ${ctx.path}: it takes ${allowed.join(', ')}`;
      throw new HttpError(405, new BusError(ErrorCode.InvalidRequest, message, { reason: 'method', httpMethod: ctx.method, allow: allowed }), {
        headers: { allow: allowed.join(', ') },
        body: openAi ? openAiError(message, 'method_not_allowed') : undefined,
      });
    }
    const message = `No such path: ${ctx.method} ${ctx.path}`;
    throw new HttpError(404, new BusError(ErrorCode.MethodNotFound, message, { reason: 'path', httpMethod: ctx.method, path: ctx.path }), {
      body: openAi ? openAiError(message, 'unknown_url') : undefined,
    });
  };
}

/** The methods the REST API (HEAD with each GET) and plugin routes serve on `path`. */
function allowedMethods(router: Router, gateway: GatewayContext, path: string): string[] {
  const methods = new Set<string>();
  for (const layer of router.match(path, 'GET').path) for (const method of layer.methods) methods.add(method);
  for (const method of RouteTable.of(gateway.kernel.registry).methodsFor(path)) methods.add(method);
  return [...methods];
}

function openAiError(message: string, code: string): { error: { message: string; type: string; code: string; param: null } } {
  return { error: { message, type: 'invalid_request_error', code, param: null } };
}
