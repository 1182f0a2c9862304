import { afterAll, beforeAll, expect } from 'vitest';
import { startTestGateway, type TestGateway } from '../../gateway/support/test-gateway.ts';
import { fixture } from '../../integration/support/test-kernel.ts';
import { runCli, type CliResult, type CliRunOptions } from './run-cli.ts';

// The auth-admin-stub fixture stands in for plugins/auth: the admin capabilities in memory,
// and the gateway's identity provider. Bearer "root-key" is its seeded admin "root"; keys it
// creates sign in as their owner. One kernel serves a test file, so every test uses its own users.
export const ROOT_KEY = 'root-key';
export const API_KEY = /^cds_[0-9a-f]{8}_[A-Za-z0-9_-]{43}\n$/;
export const TIME = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}`;
export const DAY_MS = 86_400_000;

const authAdminStub = {
  name: 'auth',
  entrypoint: fixture('auth-admin-stub/main.ts'),
  activation: 'startup',
  capabilities: [
    'auth.authenticate', 'auth.login', 'auth.users.list', 'auth.users.create', 'auth.users.update', 'auth.users.disable',
    'auth.balance.set', 'auth.keys.create', 'auth.keys.list', 'auth.keys.revoke',
  ],
};

/** What a users/keys CLI test uses: the gateway, the CLI as root, and shortcuts. */
export interface AuthAdminCli {
  readonly test: TestGateway;
  cli(args: string[], options?: CliRunOptions): Promise<CliResult>;
  addUser(username: string, ...flags: string[]): Promise<void>;
  usersJson(): Promise<Record<string, unknown>[]>;
  createKey(username: string): Promise<string>;
  login(username: string, password: string): Promise<unknown>;
}

/** Starts a kernel and gateway with the auth-admin-stub for the whole test file (beforeAll/afterAll). */
export function useAuthAdminCli(): AuthAdminCli {
  let test: TestGateway | undefined;
  beforeAll(async () => {
    test = await startTestGateway([authAdminStub], {
      gateway: {
        // cacheSeconds 0: a revoked key is refused on its next request.
        auth: { capability: 'auth.authenticate', cacheSeconds: 0 },
        access: [
          { roles: ['admin'], call: ['*'], subscribe: ['*'] },
          { roles: ['developer', 'viewer'], call: ['auth.*'], subscribe: [] },
        ],
      },
    });
  });
  afterAll(async () => {
    await test?.close();
  });
  const cli = (args: string[], options: CliRunOptions = {}) =>
    runCli([...args, '--url', test!.url], { ...options, env: { CYBERSTUDIO_API_KEY: ROOT_KEY, ...options.env } });
  return {
    get test() {
      return test!;
    },
    cli,
    async addUser(username, ...flags) {
      const result = await cli(['users', 'add', username, ...flags]);
      expect(result.exitCode, result.stderr).toBe(0);
    },
    async usersJson() {
      return JSON.parse((await cli(['users', 'list', '--json'])).stdout) as Record<string, unknown>[];
    },
    async createKey(username) {
      const result = await cli(['keys', 'create', '--user', username, '--quiet']);
      expect(result.exitCode, result.stderr).toBe(0);
      return result.stdout;
    },
    login(username, password) {
      return test!.kernel.bus.call('auth.login', { username, password }, { caller: { kind: 'kernel' } });
    },
  };
}
