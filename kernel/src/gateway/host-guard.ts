import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import type { GatewaySettings } from '../registry/index.ts';

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.', 'ip6-localhost']);

/** Bind addresses that mean "every interface": the machine's own addresses are then its names. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

/** True for loopback names and addresses (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = bareHostname(host);
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
 * True when `origin` (an Origin header) is exactly the gateway's own origin as this request
 * addressed it: scheme `http`, and the host and port of its Host header. `null` and anything
 * unparsable are not.
 */
export function isOwnOrigin(origin: string, hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  try {
    const url = new URL(origin);
    // An Origin is a bare scheme://host[:port]: one with userinfo or a path is not a browser's.
    return url.origin === origin.toLowerCase() && url.protocol === 'http:' && url.host === new URL(`http://${hostHeader}`).host;
  } catch {
    return false;
  }
}

/**
 * Which Host headers and Origins the gateway serves. Without authentication every request acts
 * as the admin, so only loopback names are served; with it, loopback names, the bind address
 * (every address of this machine for a wildcard bind) and `gateway.allowedHosts`. Either way a
 * web page that rebinds its own domain name to this machine still sends its own name in Host
 * and is refused, so it cannot use a victim's browser to reach the gateway (or guess passwords).
 */
export class HostGuard {
  readonly #authEnabled: boolean;
  readonly #names: ReadonlySet<string>;
  readonly #allowedOrigins: readonly string[];
  /** Host headers seen lately and whether they were allowed: a client sends the same Host on every request. */
  readonly #verdicts = new Map<string, boolean>();

  constructor(settings: Pick<GatewaySettings, 'host' | 'allowedHosts' | 'allowedOrigins'>, authEnabled: boolean) {
    this.#authEnabled = authEnabled;
    this.#allowedOrigins = settings.allowedOrigins;
    const names = new Set(settings.allowedHosts.map(bareHostname));
    const bind = bareHostname(settings.host);
    if (!WILDCARD_HOSTS.has(bind)) names.add(bind);
    else for (const address of Object.values(networkInterfaces()).flat()) if (address) names.add(bareHostname(address.address));
    this.#names = names;
  }

  /** True when a request with this Host header is served. */
  hostAllowed(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return false;
    let allowed = this.#verdicts.get(hostHeader);
    if (allowed === undefined) {
      const hostname = hostnameOf(hostHeader);
      allowed = hostname !== undefined && (isLoopbackHost(hostname) || (this.#authEnabled && this.#names.has(bareHostname(hostname))));
      // Cleared when full, so it stays small whatever clients send.
      if (this.#verdicts.size >= HOST_VERDICTS_MAX) this.#verdicts.clear();
      this.#verdicts.set(hostHeader, allowed);
    }
    return allowed;
  }

  /** Why a Host header is refused, for the error message. */
  hostRefusal(hostHeader: string | undefined): string {
    const shown = hostHeader ?? '(none)';
    if (!this.#authEnabled) return `Host '${shown}' is not served: without gateway.auth only loopback names (127.0.0.1, localhost) are accepted`;
    return `Host '${shown}' is not served: only loopback names, the address the gateway listens on and gateway.allowedHosts are accepted`;
  }

  /** True when `origin` is the gateway's own origin (scheme, host and port exactly) or listed in `gateway.allowedOrigins`. */
  originAllowed(origin: string, hostHeader: string | undefined): boolean {
    return this.#allowedOrigins.includes(origin) || isOwnOrigin(origin, hostHeader);
  }
}

const HOST_VERDICTS_MAX = 64;

/** A hostname without IPv6 brackets, lowercased. */
function bareHostname(host: string): string {
  return host.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase();
}
