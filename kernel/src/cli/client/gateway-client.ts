import { BusError, ErrorCode, isWireError } from '@cyberstudio/sdk';
import type { GatewayConnection } from '@cyberstudio/sdk/client';
import { ExitCode } from '../exit-codes.ts';
import { ClientError, authHint, displayUrl, isConnectFailure, kernelUnreachable } from './client-errors.ts';
import { endpoint, type ClientOptions } from './client-options.ts';
import { openGatewaySocket } from './open-gateway-socket.ts';

/** Options of one call through the gateway. */
export interface GatewayCallOptions {
  /** Aborting drops the HTTP request, which cancels the call on the kernel's side. */
  signal?: AbortSignal;
}

/**
 * A client of one kernel's gateway: single JSON-RPC calls over `POST /rpc`, and WebSocket
 * sessions on `/ws` for streaming calls and subscriptions. A failing call rejects with the
 * kernel's BusError; a gateway that cannot be reached or answers outside JSON-RPC rejects
 * with a ClientError carrying the exit code.
 */
export class GatewayClient {
  readonly #options: ClientOptions;
  #nextId = 1;

  constructor(options: ClientOptions) {
    this.#options = options;
  }

  /** The gateway's base URL. */
  get url(): URL {
    return this.#options.url;
  }

  /** Calls `method` with `params` as one JSON-RPC request over `POST /rpc` and resolves with its result. */
  async call(method: string, params: Record<string, unknown>, options: GatewayCallOptions = {}): Promise<unknown> {
    const url = endpoint(this.url, 'rpc');
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...this.authorization() },
        body: JSON.stringify({ jsonrpc: '2.0', id: this.#nextId++, method, params }),
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (isConnectFailure(error)) throw kernelUnreachable(this.url, error);
      throw new ClientError(ExitCode.Failure, `the request to ${displayUrl(url)} failed: ${describeCause(error)}`, { cause: error });
    }
    const text = await response.text();
    const body = parseJson(text);
    if (response.status === 204) return null;
    const answer = body as { result?: unknown; error?: unknown } | undefined;
    if (answer !== undefined && isWireError(answer.error)) throw BusError.fromWire(answer.error);
    if (answer !== undefined && typeof answer === 'object' && answer !== null && 'result' in answer) return answer.result;
    if (response.status === 401 || response.status === 403) {
      throw new ClientError(ExitCode.Failure, `the gateway refused the request: HTTP ${response.status}`, { hint: authHint(response.status === 401 ? ErrorCode.Unauthenticated : ErrorCode.Forbidden) });
    }
    throw new ClientError(ExitCode.Failure, `unexpected answer from ${displayUrl(url)}: HTTP ${response.status} ${snippet(text)}`.trimEnd());
  }

  /** Opens a WebSocket session on `/ws`. */
  openSocket(options: { signal?: AbortSignal } = {}): Promise<GatewayConnection> {
    return openGatewaySocket(endpoint(this.url, 'ws', 'ws'), { headers: this.authorization(), signal: options.signal, baseUrl: this.url });
  }

  /** The Authorization header when an API key is set. */
  authorization(): Record<string, string> {
    return this.#options.key === undefined ? {} : { authorization: `Bearer ${this.#options.key}` };
  }
}

/** The message of the innermost cause, which names the real problem (fetch only says "fetch failed"). */
export function describeCause(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
