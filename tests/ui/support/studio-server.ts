import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { Gateway } from '../../../kernel/src/gateway/index.ts';
import { echoPlugin } from '../../integration/support/echo-fixture.ts';
import { repoRoot, startTestKernel, type TestKernel } from '../../integration/support/test-kernel.ts';
import { buildStudio } from './studio-build.ts';

/** The first admin's password (CYBERSTUDIO_ADMIN_PASSWORD) in every studio test kernel. */
export const ADMIN_PASSWORD = 'studio-admin-password-7c2e';

/** A kernel with the real auth and admin-ui plugins, the echo fixture and a gateway, as the studio tests use it. */
export interface StudioServer {
  readonly kernel: TestKernel;
  /** http://127.0.0.1:<port>, the same across stopGateway/startGateway. */
  readonly url: string;
  /** Calls a capability through POST /rpc as the admin; throws on an error answer. */
  admin<T>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Creates a user with `role` and `password` through auth.users.create. */
  createUser(username: string, role: 'admin' | 'developer' | 'viewer', password: string): Promise<{ id: string }>;
  /** Closes the gateway (the kernel and its plugins keep running), as if the network went away. */
  stopGateway(): Promise<void>;
  /** Opens the gateway again on the same port. */
  startGateway(): Promise<void>;
  close(): Promise<void>;
}

/** One entry of the repository's plugins.json, with its entrypoint made absolute and `overrides` spread last. */
function registered(name: string, overrides: object): object {
  const registry = JSON.parse(readFileSync(join(repoRoot, 'plugins.json'), 'utf8')) as { plugins: { name: string; entrypoint: string }[] };
  const entry = registry.plugins.find((plugin) => plugin.name === name);
  if (!entry) throw new Error(`plugins.json registers no '${name}'`);
  return { ...entry, entrypoint: join(repoRoot, entry.entrypoint), ...overrides };
}

/** The repository's gateway auth and access rules, so the tests check the roles the studio ships with. */
function registeredGateway(): Record<string, unknown> {
  const registry = JSON.parse(readFileSync(join(repoRoot, 'plugins.json'), 'utf8')) as { gateway: { auth: unknown; access: unknown } };
  return { auth: registry.gateway.auth, access: registry.gateway.access };
}

/**
 * Builds the studio, then starts a kernel on the repository's entries for auth and admin-ui
 * (admin-ui serving that build), the echo fixture as a plugin to stop and start, and any
 * `extraPlugins`, behind a gateway with the repository's access rules.
 */
export async function startStudioServer(extraPlugins: object[] = []): Promise<StudioServer> {
  const distDir = await buildStudio();
  const kernel = await startTestKernel(
    [
      registered('auth', { env: { CYBERSTUDIO_ADMIN_PASSWORD: ADMIN_PASSWORD }, envAllow: [] }),
      registered('admin-ui', { config: { distDir } }),
      echoPlugin({ description: 'The echo fixture: a plugin the tests stop and start.' }),
      ...extraPlugins,
    ],
    { start: false, gateway: { ...registeredGateway(), port: 0 } },
  );
  const listen = (port: number) => Gateway.listen({ kernel: kernel.kernel, settings: { ...kernel.kernel.registry.gateway, port }, logger: pino({ level: 'silent' }) });
  let gateway: Gateway | undefined;
  let cookie = '';
  const close = async () => {
    await gateway?.close();
    await kernel.close();
  };
  try {
    gateway = await listen(0);
    await kernel.kernel.start();
    await kernel.waitForState('auth', 'running');
    await kernel.waitForState('admin-ui', 'running');
    await kernel.waitForState('echo', 'running');
  } catch (error) {
    await close();
    throw error;
  }
  const url = gateway.url;
  const port = Number(new URL(url).port);

  const admin = async <T>(method: string, params: Record<string, unknown> = {}): Promise<T> => {
    if (cookie === '') {
      const login = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
      cookie = /^[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0] ?? '';
      if (login.status !== 200 || cookie === '') throw new Error(`admin login failed with HTTP ${login.status}`);
    }
    const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
    const answer = (await response.json()) as { result?: T; error?: { message: string } };
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result as T;
  };

  return {
    kernel,
    url,
    admin,
    createUser: (username, role, password) => admin<{ id: string }>('auth.users.create', { username, role, password }),
    async stopGateway() {
      await gateway?.close();
      gateway = undefined;
    },
    async startGateway() {
      gateway = await listen(port);
    },
    close,
  };
}
