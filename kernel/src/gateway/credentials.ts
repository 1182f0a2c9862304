import type { IncomingHttpHeaders } from 'node:http';

/** A credential found on a request: an API key (bearer token) or a session cookie. */
export interface Credential {
  kind: 'bearer' | 'session';
  value: string;
}

/**
 * The request's credential: `Authorization: Bearer <token>` wins over the session cookie.
 * Returns undefined when there is none. A malformed Authorization header is reported as
 * `{ malformed: reason }` so the caller can answer 401 with that reason.
 */
export function credentialFrom(headers: IncomingHttpHeaders, sessionCookie: string): Credential | { malformed: string } | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return { malformed: 'the Authorization header must be "Bearer <key>"' };
    return { kind: 'bearer', value: match[1]! };
  }
  const session = cookieValue(headers.cookie, sessionCookie);
  return session === undefined ? undefined : { kind: 'session', value: session };
}

/** The value of cookie `name` in a Cookie header, URI-decoded when it can be. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0 || part.slice(0, index).trim() !== name) continue;
    const raw = part.slice(index + 1).trim().replace(/^"(.*)"$/, '$1');
    if (raw === '') return undefined;
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}
