import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.', 'ip6-localhost']);

/** True for loopback names and addresses (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (LOOPBACK_NAMES.has(bare)) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || bare.startsWith('::ffff:127.');
  return false;
}

/** The hostname of a Host header (`name:port`, `[v6]:port`), lowercased. */
export function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(hostHeader.trim());
  return match?.[1]!.toLowerCase();
}

/**
 * Without authentication every request acts as the admin, so only requests addressed to a
 * loopback name are served: a web page that rebinds its own domain name to 127.0.0.1 still
 * sends its own name in Host and is refused.
 */
export function hostAllowed(request: IncomingMessage, authEnabled: boolean): boolean {
  if (authEnabled) return true;
  const host = request.headers.host;
  if (host === undefined) return false;
  // A client sends the same Host on every request: remember the last verdicts, not the parsing.
  let allowed = hostVerdicts.get(host);
  if (allowed === undefined) {
    const hostname = hostnameOf(host);
    allowed = hostname !== undefined && isLoopbackHost(hostname);
    if (hostVerdicts.size >= HOST_VERDICTS_MAX) hostVerdicts.clear();
    hostVerdicts.set(host, allowed);
  }
  return allowed;
}

/** Host headers seen lately and whether they were allowed; cleared when full, so it stays small whatever clients send. */
const hostVerdicts = new Map<string, boolean>();
const HOST_VERDICTS_MAX = 64;

/**
 * A browser's WebSocket may only be opened from the gateway's own origin or an allowed one:
 * otherwise any web page could act with the user's session cookie. Clients that send no
 * Origin (CLI, services) are not browsers and pass.
 */
export function originAllowed(request: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host.toLowerCase() === (request.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}
