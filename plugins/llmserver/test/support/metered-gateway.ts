import { afterAll, beforeAll } from 'vitest';
import { startTestGateway, type TestGateway } from '../../../../tests/gateway/support/test-gateway.ts';
import { shippedPlugin } from '../../../../tests/integration/support/test-kernel.ts';
import { OPENAI_ROUTES } from '../../src/openai/openai-capabilities.ts';
import { llmserverManifest } from './llmserver-manifest.ts';

const ADMIN_PASSWORD = 'metered-admin-password-5d1e';

/** A user the admin created, with one API key. */
export interface MeteredUser {
  id: string;
  username: string;
  key: string;
  keyId: string;
}

/** Options of a user with a key: the user's balance, and the key's models and rate limit. */
export interface UserOptions {
  balance: number;
  allowedModels?: string[];
  rpm?: number;
}

/** The kernel the metering tests share, and what they do as its admin. */
export interface MeteredGateway {
  readonly gateway: TestGateway;
  /** Calls a capability through POST /rpc as the admin; throws on an error answer. */
  admin<T>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Creates a developer with `balance` tokens and an API key. */
  user(username: string, options: UserOptions): Promise<MeteredUser>;
  /** The user's balance and the tokens still held by open reservations. */
  balance(userId: string): Promise<{ balance: number; reserved: number }>;
}

/**
 * The real auth plugin and the real llmserver behind a gateway with `gateway.auth`: requests carry
 * API keys, llmserver meters them through auth.usage.*, the admin signs in with a password.
 * `llmserver` gives manifest fields of llmserver (config, env), read when the kernel starts.
 */
export function useMeteredGateway(llmserver: () => object = () => ({})): MeteredGateway {
  let gateway: TestGateway | undefined;
  let cookie = '';
  const admin = async <T>(method: string, params: Record<string, unknown> = {}): Promise<T> => {
    const response = await fetch(`${gateway!.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    const answer = (await response.json()) as { result?: T; error?: { message: string } };
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result as T;
  };
  beforeAll(async () => {
    gateway = await startTestGateway(
      [
        {
          name: 'auth',
          entrypoint: shippedPlugin('auth'),
          activation: 'startup',
          env: { CYBERSTUDIO_ADMIN_PASSWORD: ADMIN_PASSWORD },
          http: { routes: { 'POST /auth/login': 'auth.http.login' } },
        },
        llmserverManifest({ http: { routes: OPENAI_ROUTES }, ...llmserver() }),
      ],
      {
        gateway: {
          auth: { capability: 'auth.authenticate' },
          access: [
            { roles: ['anonymous'], call: ['auth.http.login'] },
            { roles: ['admin'], call: ['*'], subscribe: ['*'] },
            { roles: ['developer'], call: ['llm.*', 'auth.*'] },
          ],
        },
      },
    );
    await gateway.waitForState('auth', 'running');
    await gateway.waitForState('llmserver', 'running');
    const login = await fetch(`${gateway.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    cookie = /^[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0] ?? '';
    if (login.status !== 200 || cookie === '') throw new Error(`admin login failed with HTTP ${login.status}`);
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
  });
  return {
    get gateway() {
      return gateway!;
    },
    admin,
    async user(username, { balance, allowedModels, rpm }) {
      const user = await admin<{ id: string }>('auth.users.create', { username, role: 'developer', balance });
      const issued = await admin<{ id: string; key: string }>('auth.keys.create', {
        user: user.id, name: `${username} key`, ...(allowedModels && { allowedModels }), ...(rpm && { rpm }),
      });
      return { id: user.id, username, key: issued.key, keyId: issued.id };
    },
    async balance(userId) {
      const view = await admin<{ balance: number; reserved: number }>('auth.balance.get', { user: userId });
      return { balance: view.balance, reserved: view.reserved };
    },
  };
}
