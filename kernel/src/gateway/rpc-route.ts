import type Koa from 'koa';
import { BusError, CancellationSource, ErrorCode, type CancellationSignal } from '@cyberstudio/sdk';
import type { GatewayContext } from './gateway-context.ts';
import { HttpError, httpStatusOf, isAccessError, errorHeaders } from './http-errors.ts';
import type { UserCaller } from './identity-resolver.ts';
import { classifyMessage, errorResponse, outsideCallError, resultResponse, type ResponseMessage } from './jsonrpc-messages.ts';
import { readJsonBody } from './read-body.ts';

/**
 * `POST /rpc`: JSON-RPC 2.0 over HTTP, single or batch. The method is a capability name.
 * Notifications run without an answer; a request of only notifications gets 204. A single
 * request that fails with Unauthenticated, InsufficientBalance, Forbidden or RateLimited also
 * carries that HTTP status (401, 402, 403, 429) and its headers; every other answer is 200 with the JSON-RPC error
 * inside, as JSON-RPC over HTTP expects. An unknown method answers Method not found (-32601).
 * Calls still running when the gateway closes end with ShuttingDown (-32011) and the answer
 * carries 503.
 */
export function rpcEndpoint(gateway: GatewayContext): Koa.Middleware {
  // Matched before the router: /rpc is the hottest path and needs no pattern matching.
  return async (ctx, next) => {
    if (ctx.path !== '/rpc') return next();
    ctx.state.route = '/rpc';
    if (ctx.method !== 'POST') {
      ctx.set('allow', 'POST');
      ctx.status = 405;
      ctx.body = errorResponse(null, new BusError(-32600, `Invalid request: ${ctx.method} /rpc; send JSON-RPC with POST`, { reason: 'method' }));
      return;
    }
    const caller = gateway.callerNow(ctx.headers) ?? (await gateway.callerOf(ctx.headers));
    let body: unknown;
    try {
      body = await readJsonBody(ctx.req, gateway.settings.limits.bodyBytes);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      ctx.status = error.status;
      ctx.body = errorResponse(null, error.error);
      return;
    }
    if (Array.isArray(body)) {
      if (body.length === 0) return answer(ctx, 400, errorResponse(null, invalidBatch('an empty batch')));
      if (body.length > gateway.settings.limits.batchSize) {
        return answer(ctx, 413, errorResponse(null, invalidBatch(`${body.length} requests, the limit is ${gateway.settings.limits.batchSize} (gateway.limits.batchSize)`)));
      }
    } else if (body === undefined) return answer(ctx, 400, errorResponse(null, invalidBatch('an empty body')));
    const aborted = new CancellationSource();
    // The response closes early only when the client went away before the answer.
    ctx.res.once('close', () => {
      if (!ctx.res.writableFinished) aborted.abort(new Error('the HTTP client went away'));
    });
    gateway.inFlight.track(aborted);
    try {
      if (Array.isArray(body)) {
        const answers = await Promise.all(body.map((item) => handle(gateway, caller, item, aborted)));
        const responses = answers.filter((item): item is ResponseMessage => item !== undefined);
        if (responses.length === 0) return answer(ctx, 204, undefined);
        return answer(ctx, responses.some(isShuttingDown) ? 503 : 200, responses);
      }
      const response = await handle(gateway, caller, body, aborted);
      if (response === undefined) return answer(ctx, 204, undefined);
      if ('error' in response && (isAccessError(response.error.code) || isShuttingDown(response))) {
        const error = BusError.fromWire(response.error);
        ctx.set(errorHeaders(error));
        return answer(ctx, httpStatusOf(error.code), response);
      }
      return answer(ctx, 200, response);
    } finally {
      gateway.inFlight.untrack(aborted);
    }
  };
}

/** True for an answer the gateway's shutdown cut short (the whole answer then carries 503). */
function isShuttingDown(response: ResponseMessage): boolean {
  return 'error' in response && response.error.code === ErrorCode.ShuttingDown;
}

/** Answers one message; undefined for a notification. */
async function handle(gateway: GatewayContext, caller: UserCaller, value: unknown, signal: CancellationSignal): Promise<ResponseMessage | undefined> {
  const message = classifyMessage(value);
  if (message.kind === 'invalid') return errorResponse(message.id, message.error);
  const call = gateway.call(caller, message.method, message.params, { signal });
  if (message.kind === 'notification') {
    call.catch((error: unknown) => gateway.logger.debug({ capability: message.method, err: error }, 'notification over /rpc failed'));
    return undefined;
  }
  try {
    return resultResponse(message.id, await call);
  } catch (error) {
    return errorResponse(message.id, outsideCallError(message.method, error));
  }
}

function answer(ctx: { status: number; body: unknown }, status: number, body: unknown): void {
  ctx.status = status;
  ctx.body = body === undefined ? null : body;
  if (status === 204) ctx.body = null;
}

function invalidBatch(what: string): BusError {
  return new BusError(-32600, `Invalid request: ${what}`, { reason: 'batch' });
}
