import type Koa from 'koa';
import { BusError, CancellationSource, ErrorCode, type CancellationSignal, type HttpRouteRequest } from '@cyberstudio/sdk';
import { SAFE_METHODS } from './cross-site-guard.ts';
import type { GatewayContext } from './gateway-context.ts';
import { HttpError, errorBody } from './http-errors.ts';
import type { UserCaller } from './identity-resolver.ts';
import { assertJsonContentType, readJsonBody } from './read-body.ts';
import { routeAnswer, type RouteAnswer } from './route-answer.ts';
import { RouteTable } from './route-table.ts';
import { SseWriter } from './sse-writer.ts';


/** Request headers a capability never sees: the gateway has already turned them into the caller. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * Plugins' `http.routes`: matches each request against the routes of the registry in force and
 * calls the route's capability as the request's caller (the access policy applies). The result
 * is the JSON answer, or an event stream when the capability streams and the client asks for one
 * (`Accept: text/event-stream` or `"stream": true` in the JSON body). A state-changing request
 * must send JSON or no Content-Type (415 otherwise); a call still running when the gateway closes
 * ends with ShuttingDown (503). No match: next middleware.
 */
export function pluginRoutes(gateway: GatewayContext): Koa.Middleware {
  return async (ctx, next) => {
    const match = RouteTable.of(gateway.kernel.registry).match(ctx.method, ctx.path);
    if (!match) return next();
    ctx.state.route = match.route;
    if (!SAFE_METHODS.has(ctx.method)) assertJsonContentType(ctx.req);
    const caller = await gateway.callerOf(ctx.headers);
    // Refuse before reading a body the caller may not send.
    gateway.policy.assertCall(caller, match.capability);
    const body = (await readJsonBody(ctx.req, gateway.settings.limits.bodyBytes)) ?? null;
    const request: HttpRouteRequest = { method: ctx.method, path: ctx.path, params: match.params, query: queryOf(ctx.query), headers: headersOf(ctx.headers), body };
    const disconnected = new CancellationSource();
    ctx.res.once('close', () => {
      if (!ctx.res.writableFinished) disconnected.abort(new Error('the HTTP client went away'));
    });
    const warn = (message: string) => gateway.logger.warn({ route: match.route, plugin: match.plugin }, message);
    gateway.inFlight.track(disconnected);
    try {
      if (asksForStream(ctx.get('accept'), body) && (await streams(gateway, match.capability))) {
        return await streamAnswer(ctx, gateway, caller, match.capability, request, disconnected, warn);
      }
      const result = await gateway.call(caller, match.capability, request, { signal: disconnected }).catch(crashed);
      send(ctx, routeAnswer(match.capability, result, warn), warn);
    } finally {
      gateway.inFlight.untrack(disconnected);
    }
  };
}

/** Runs a streaming capability as Server-Sent Events: chunks as `data:` frames, then the result, or an `error` event. */
async function streamAnswer(
  ctx: Koa.Context, gateway: GatewayContext, caller: UserCaller, capability: string, request: HttpRouteRequest, signal: CancellationSignal, warn: (message: string) => void,
): Promise<void> {
  const sse = new SseWriter(ctx.res, { onStart: () => (ctx.respond = false) });
  sse.open();
  try {
    const result = await gateway.call(caller, capability, request, { signal, onProgress: (chunk) => void sse.data(JSON.stringify(chunk ?? null)) });
    const answer = routeAnswer(capability, result, warn);
    // An error status cannot travel in a stream that has not begun: answer it as plain HTTP (an OpenAI-style error body).
    if (!sse.started && !answer.sse && answer.status >= 400) {
      sse.dispose();
      send(ctx, answer, warn);
      return;
    }
    if (answer.sse) for (const line of answer.sse) void sse.data(line);
    else if (answer.hasBody && answer.body !== null) void sse.event('result', JSON.stringify(answer.body));
  } catch (error) {
    // Before the first frame the error middleware can still answer with a proper status.
    if (!sse.started) {
      sse.dispose();
      crashed(error);
    }
    const failure = error instanceof HttpError ? error.error : BusError.from(error);
    if (!signal.aborted) gateway.logger.debug({ capability, err: error }, `event stream of ${capability} failed: ${failure.message}`);
    void sse.event('error', JSON.stringify(errorBody(failure)));
  }
  await sse.end();
}

/**
 * Rethrows a call's failure; a provider that exited mid-call crashed while serving its own route,
 * which is a 500 (the plugin is the server of the route), not the 502 of a call relayed over /rpc.
 */
function crashed(error: unknown): never {
  if (!(error instanceof BusError) || error.code !== ErrorCode.PluginExited) throw error;
  throw new HttpError(500, new BusError(error.code, `${error.message}: the plugin crashed serving this request; the kernel restarts it`, error.data));
}

/** Writes a non-streamed answer through Koa. */
function send(ctx: Koa.Context, answer: RouteAnswer, warn: (message: string) => void): void {
  // Koa turns a null body into 204 unless the status is set afterwards.
  if (!answer.hasBody) ctx.body = null;
  ctx.status = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) {
    try {
      ctx.set(name, value);
    } catch (error) {
      warn(`response header '${name}' was dropped: ${(error as Error).message}`);
    }
  }
  if (!answer.hasBody) return;
  const asText = answer.shaped && typeof answer.body === 'string';
  if (!ctx.res.hasHeader('content-type')) ctx.type = asText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  ctx.body = asText ? (answer.body as string) : JSON.stringify(answer.body);
}

/** True when the capability publishes `stream: true`; a lazy provider is started to learn it, as the call would start it anyway. */
async function streams(gateway: GatewayContext, capability: string): Promise<boolean> {
  const find = () => gateway.kernel.bus.capabilities().find((entry) => entry.name === capability);
  const entry = find();
  if (!entry) return false;
  if (entry.descriptor) return entry.descriptor.stream;
  try {
    await gateway.kernel.supervisor(entry.plugin).start({ reason: 'lazy activation by a call', explicit: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const state = gateway.kernel.supervisors.find((supervisor) => supervisor.name === entry.plugin)?.state ?? 'unknown';
    throw new BusError(ErrorCode.PluginNotRunning, `Plugin '${entry.plugin}' (provider of ${capability}) is not running: ${reason}`, { plugin: entry.plugin, state, reason });
  }
  return find()?.descriptor?.stream === true;
}

function asksForStream(accept: string, body: unknown): boolean {
  if (accept.toLowerCase().includes('text/event-stream')) return true;
  return typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true;
}

function queryOf(query: Koa.Context['query']): Record<string, string | string[]> {
  const copy: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(query)) if (value !== undefined) copy[name] = value;
  return copy;
}

function headersOf(headers: Koa.Context['headers']): Record<string, string | string[]> {
  const copy: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !CREDENTIAL_HEADERS.has(name)) copy[name] = value;
  return copy;
}
