import { BusError, ErrorCode, isWireError } from '@cyberstudio/sdk';

/** What `POST /auth/login` answers (plugins/auth/README.md, Signing in). */
export interface LoginAnswer {
  user: { id: string; username: string; role: string };
  expiresAt: number;
}

/** The caller the gateway resolved for this browser (`studio.whoami`, served by the admin-ui plugin). */
export interface WhoAmI {
  kind: 'user';
  id: string;
  name?: string;
  roles: string[];
}

/** The admin-ui plugin's answer to `studio.info`. */
export interface StudioInfo {
  version: string;
  builtAt: string | null;
}

/** Signs in through the auth plugin's route; the session cookie (HttpOnly) is set by the answer. */
export function login(username: string, password: string): Promise<LoginAnswer> {
  return request<LoginAnswer>('POST', '/auth/login', { username, password });
}

/** Ends the session and clears its cookie. */
export async function logout(): Promise<void> {
  await request('POST', '/auth/logout', {});
}

/** Calls a capability through `POST /rpc` (used before the socket is open: who am I, is my session alive). */
export async function rpc<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
  const answer = await request<{ result?: T; error?: unknown }>('POST', '/rpc', { jsonrpc: '2.0', id: 1, method, params });
  if (isWireError(answer.error)) throw BusError.fromWire(answer.error);
  return answer.result as T;
}

/** The caller this browser is signed in as; rejects with Unauthenticated when it is not signed in. */
export function whoAmI(): Promise<WhoAmI> {
  return rpc<WhoAmI>('studio.whoami');
}

/** A plain sentence for any error the studio shows. */
export function describeError(error: unknown): string {
  if (error instanceof BusError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

async function request<T>(method: string, path: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new BusError(ErrorCode.ConnectionClosed, `The kernel cannot be reached (${describeError(error)}). Is it running?`);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (response.ok) return json as T;
  const wire = (json as { error?: unknown } | undefined)?.error;
  if (isWireError(wire)) throw BusError.fromWire(wire);
  throw new BusError(ErrorCode.InternalError, `${method} ${path} answered HTTP ${response.status} ${response.statusText}`.trim());
}
