import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '@cyberstudio/sdk';
import { GatewayConnection } from '@cyberstudio/sdk/client';
import WebSocket from 'ws';
import { ExitCode } from '../exit-codes.ts';
import { ClientError, authHint, displayUrl, isConnectFailure, kernelUnreachable } from './client-errors.ts';

/** How long opening the WebSocket (TCP connect and upgrade) may take. */
export const SOCKET_OPEN_TIMEOUT_MS = 10_000;

/**
 * Connects to `url` (a ws: or wss: URL of `/ws`) with the `ws` package, which can send the
 * Authorization header and read a refused upgrade's HTTP answer, and hands the open socket to the
 * SDK's GatewayConnection. Rejects with a ClientError that says why it could not connect.
 */
export function openGatewaySocket(url: URL, options: { headers?: Record<string, string>; signal?: AbortSignal; baseUrl: URL }): Promise<GatewayConnection> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: options.headers, handshakeTimeout: SOCKET_OPEN_TIMEOUT_MS, perMessageDeflate: false });
    const fail = (error: unknown) => {
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
      reject(error);
    };
    const onAbort = () => fail(options.signal!.reason);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('open', () => {
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      resolve(new GatewayConnection(socket));
    });
    socket.once('unexpected-response', (_request, response: IncomingMessage) => {
      void readText(response).then((text) => fail(upgradeRefused(url, response.statusCode ?? 0, text)));
    });
    socket.once('error', (error) => {
      fail(isConnectFailure(error) ? kernelUnreachable(options.baseUrl, error) : new ClientError(ExitCode.Failure, `cannot open ${displayUrl(url)}: ${error.message}`, { cause: error }));
    });
  });
}

/** The failure for an upgrade answered with a plain HTTP status instead of 101. */
function upgradeRefused(url: URL, status: number, text: string): ClientError {
  const said = text.trim() === '' ? '' : `: ${text.trim().slice(0, 300)}`;
  if (status === 401) return new ClientError(ExitCode.Failure, `the gateway refused the WebSocket: HTTP 401${said}`, { hint: authHint(ErrorCode.Unauthenticated) });
  if (status === 403) return new ClientError(ExitCode.Failure, `the gateway refused the WebSocket: HTTP 403${said}`, { hint: authHint(ErrorCode.Forbidden) });
  if (status === 501 || status === 404) {
    return new ClientError(ExitCode.Failure, `the gateway does not serve WebSocket calls at ${displayUrl(url)} (HTTP ${status})`, {
      hint: "hint: 'cyberstudio call --no-stream' calls over POST /rpc, which needs no WebSocket",
    });
  }
  return new ClientError(ExitCode.Failure, `the gateway refused the WebSocket at ${displayUrl(url)}: HTTP ${status}${said}`);
}

function readText(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (text.length < 4096) text += chunk;
    });
    response.once('end', () => resolve(text));
    response.once('error', () => resolve(text));
    response.once('close', () => resolve(text));
  });
}
