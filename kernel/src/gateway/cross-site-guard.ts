import type { IncomingMessage } from 'node:http';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import type { HostGuard } from './host-guard.ts';
import { HttpError } from './http-errors.ts';

/** Methods that must not change state, so any site may send them: the cross-site check leaves them alone. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The refusal (HttpError 403, Forbidden) of a state-changing request a browser sent for another
 * site, else undefined. A page on another site, or on another port of the same host (cookies
 * ignore ports), can make the browser send a form or `fetch` with the user's session cookie;
 * without auth even no cookie is needed. Such a request carries an Origin that is not the
 * gateway's own nor in `gateway.allowedOrigins`, or, from a browser that sends no Origin,
 * `Sec-Fetch-Site: cross-site` or `same-site`. Clients that send neither (CLI, services) pass.
 */
export function crossSiteRefusal(request: IncomingMessage, hosts: HostGuard): HttpError | undefined {
  const { origin, host } = request.headers;
  if (origin !== undefined) {
    if (hosts.originAllowed(origin, host)) return undefined;
    return refused(request, `Origin '${origin}' is not this gateway's origin`, { origin });
  }
  const site = request.headers['sec-fetch-site']?.toLowerCase();
  if (site === 'cross-site' || site === 'same-site') return refused(request, `the browser marked it Sec-Fetch-Site: ${site} and it carries no Origin`, { secFetchSite: site });
  return undefined;
}

function refused(request: IncomingMessage, why: string, data: Record<string, string>): HttpError {
  const message = `Cross-site ${request.method} refused: ${why}. Only pages served by the gateway itself, or origins listed in gateway.allowedOrigins, may send state-changing requests`;
  return new HttpError(403, new BusError(ErrorCode.Forbidden, message, { reason: 'cross-site', ...data }));
}
