import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** Headers that describe one connection, not the message: a proxy never passes them on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Set by the gateway alone: the gateway is the edge, so whatever a client sent in these is not trusted. */
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-prefix']);

/** The URL a mounted plugin sees: the prefix stripped, so it serves at its root (`/studio` -> `/`, `/studio/a?b` -> `/a?b`). */
export function stripPrefix(url: string, prefix: string): string {
  if (prefix === '/') return url;
  const rest = url.slice(prefix.length);
  return rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
}

/**
 * The headers of a request passed to a mounted plugin: hop-by-hop headers dropped (except
 * Connection and Upgrade of a WebSocket handshake, which the plugin must see), the client's
 * x-forwarded-* replaced by the gateway's: the client address, its Host, the scheme and the
 * mount prefix (not sent for the root mount).
 */
export function upstreamHeaders(request: IncomingMessage, prefix: string, upgrade: boolean): OutgoingHttpHeaders {
  const dropped = droppedBy(request.headers);
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || FORWARDED.has(name)) continue;
    const handshake = upgrade && (name === 'connection' || name === 'upgrade');
    if (handshake || !(HOP_BY_HOP.has(name) || dropped.has(name))) headers[name] = value;
  }
  headers['x-forwarded-for'] = request.socket.remoteAddress ?? '';
  if (request.headers.host !== undefined) headers['x-forwarded-host'] = request.headers.host;
  headers['x-forwarded-proto'] = (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  if (prefix !== '/') headers['x-forwarded-prefix'] = prefix;
  return headers;
}

/** The headers of a plugin's answer passed to the client, without hop-by-hop headers (Node frames the body itself). */
export function downstreamHeaders(response: IncomingMessage): OutgoingHttpHeaders {
  const dropped = droppedBy(response.headers);
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !dropped.has(name)) headers[name] = value;
  }
  return headers;
}

/** The raw HTTP/1.1 head of a WebSocket handshake replayed to a plugin. */
export function upgradeHead(request: IncomingMessage, path: string, headers: OutgoingHttpHeaders): string {
  const lines = [`${request.method ?? 'GET'} ${path} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined) lines.push(`${name}: ${String(item)}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Headers a message's Connection header names as hop-by-hop. */
function droppedBy(headers: IncomingHttpHeaders): Set<string> {
  const connection = headers.connection;
  if (connection === undefined) return new Set();
  return new Set(connection.split(',').map((token) => token.trim().toLowerCase()));
}
