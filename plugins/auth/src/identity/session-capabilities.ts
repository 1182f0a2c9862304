import { defineCapability, type CapabilitySpec, type HttpRouteAnswer, type HttpRouteRequest } from '@cyberstudio/sdk';
import type { AuthState } from '../auth-state.ts';
import type { AuthenticatedUser } from './authenticated-user.ts';
import { actorOf, forbidden, isAdmin } from '../caller-access.ts';
import { invalidParam } from '../invalid-param.ts';
import { isUser } from './caller-checks.ts';
import { authenticateCredential, type Credential } from './credential-check.ts';
import { login, type LoginResult } from './login.ts';
import type { LoginLockout } from './login-lockout.ts';
import { MAX_PASSWORD_LENGTH } from './passwords.ts';
import { clearedSessionCookie, revokeSession, sessionCookie, sessionOwner } from './sessions.ts';

interface LoginBody {
  username: string;
  password: string;
}

const loginBodySchema = {
  type: 'object',
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 256 },
    password: { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH },
  },
  required: ['username', 'password'],
  additionalProperties: false,
} as const;

const publicUserSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, username: { type: 'string' }, role: { type: 'string' } },
  required: ['id', 'username', 'role'],
} as const;

/** The HTTP route envelope, with a body of `body`. */
function routeSchema(body: Record<string, unknown>) {
  return { type: 'object', properties: { method: { type: 'string' }, path: { type: 'string' }, headers: { type: 'object' }, body }, required: ['body'] };
}

/** `auth.authenticate`, `auth.login`, `auth.logout` and the cookie routes `auth.http.login` / `auth.http.logout`. */
export function sessionCapabilities(state: AuthState, lockout: LoginLockout): Record<string, CapabilitySpec> {
  /** Revokes session `id` as `actor`; false when it was already over. */
  const endSession = async (id: string, actor: string): Promise<boolean> =>
    state.database.transaction(async (trx) => {
      const revoked = await revokeSession(state, trx, id);
      if (revoked) await state.audit({ actor, action: 'auth.logout', target: id, outcome: 'ok' }, trx);
      return revoked;
    });

  return {
    'auth.authenticate': defineCapability<{ credential: Credential }, AuthenticatedUser>({
      description: "The gateway's identity provider: turns a bearer API key or a session token into the user { id, name, roles, keyId?, sessionId?, scopes?, ttlSeconds? }; fails with Unauthenticated (data.reason unknown | expired | revoked | disabled | malformed). Kernel callers only.",
      params: {
        type: 'object',
        properties: {
          credential: {
            type: 'object',
            properties: { kind: { enum: ['bearer', 'session'] }, value: { type: 'string', maxLength: 4096 } },
            required: ['kind', 'value'],
            additionalProperties: false,
          },
        },
        required: ['credential'],
        additionalProperties: false,
      },
      result: {
        type: 'object',
        properties: {
          id: { type: 'string' }, name: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } },
          keyId: { type: 'string' }, sessionId: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } }, ttlSeconds: { type: 'number' },
        },
        required: ['id', 'name', 'roles'],
      },
      async handler({ credential }, ctx) {
        // Answering who owns a credential is the gateway's business alone; to anyone else it is an oracle.
        if (ctx.caller.kind !== 'kernel') throw forbidden('auth.authenticate', ctx.caller, 'may be called by the kernel (the gateway) only');
        return authenticateCredential(state, credential);
      },
    }),

    'auth.login': defineCapability<LoginBody, LoginResult>({
      description: 'Signs in with a username and password and opens a session: { token, expiresAt, user }. The token is a bearer credential (or the value of the session cookie); it is shown this once. Wrong credentials: Unauthenticated; too many failures: RateLimited (scope user).',
      params: loginBodySchema,
      result: {
        type: 'object',
        properties: { token: { type: 'string' }, expiresAt: { type: 'integer' }, user: publicUserSchema },
        required: ['token', 'expiresAt', 'user'],
      },
      handler: ({ username, password }, ctx) => login(state, lockout, username, password, { signal: ctx.signal }),
    }),

    'auth.logout': defineCapability<{ sessionId?: string }, { revoked: boolean }>({
      description: "Ends the caller's own session (no params), or session `sessionId` (admin, or its owner). { revoked } is false when it had already ended or the caller signed in with a key.",
      params: { type: 'object', properties: { sessionId: { type: 'string', minLength: 1 } }, additionalProperties: false },
      result: { type: 'object', properties: { revoked: { type: 'boolean' } }, required: ['revoked'] },
      async handler({ sessionId }, ctx) {
        const { caller } = ctx;
        if (sessionId === undefined) {
          const own = caller.kind === 'user' ? caller.sessionId : undefined;
          return { revoked: own === undefined ? false : await endSession(own, actorOf(caller)) };
        }
        const owner = await sessionOwner(state.db, sessionId);
        if (owner === undefined) throw invalidParam('auth.logout', 'sessionId', `names no session: '${sessionId}'`);
        if (!isAdmin(caller) && !isUser(caller, owner)) throw forbidden('auth.logout', caller, "may end another user's session only for an admin");
        return { revoked: await endSession(sessionId, actorOf(caller)) };
      },
    }),

    'auth.http.login': defineCapability<HttpRouteRequest<LoginBody>, HttpRouteAnswer>({
      description: 'POST /auth/login (http.routes): signs in with { username, password } in the JSON body and sets the HttpOnly session cookie; the body answers { user, expiresAt } and never the token.',
      params: routeSchema(loginBodySchema),
      result: { type: 'object', properties: { _http: { type: 'object' }, body: { type: 'object' } }, required: ['_http', 'body'] },
      async handler(request, ctx) {
        const { username, password } = request.body as LoginBody;
        const { token, expiresAt, user } = await login(state, lockout, username, password, { signal: ctx.signal });
        const cookie = sessionCookie(state.config.sessionCookie, token, (expiresAt - state.now()) / 1000, overHttps(request));
        return { _http: { headers: { 'set-cookie': cookie, 'cache-control': 'no-store' } }, body: { user, expiresAt } };
      },
    }),

    'auth.http.logout': defineCapability<HttpRouteRequest, HttpRouteAnswer>({
      description: "POST /auth/logout (http.routes): ends the caller's session and clears the session cookie; answers { revoked }.",
      params: { type: 'object' },
      result: { type: 'object', properties: { _http: { type: 'object' }, body: { type: 'object' } }, required: ['_http', 'body'] },
      async handler(request, ctx) {
        const { caller } = ctx;
        const own = caller.kind === 'user' ? caller.sessionId : undefined;
        const revoked = own === undefined ? false : await endSession(own, actorOf(caller));
        return { _http: { headers: { 'set-cookie': clearedSessionCookie(state.config.sessionCookie, overHttps(request)) } }, body: { revoked } };
      },
    }),
  };
}

/** True when a proxy in front of the gateway says the client used HTTPS: the cookie then gets `Secure`. */
function overHttps(request: HttpRouteRequest): boolean {
  const proto = request.headers?.['x-forwarded-proto'];
  return (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase() === 'https';
}

