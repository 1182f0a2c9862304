import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { Kernel, type StateChange } from '@cyberstudio/kernel';

/** Absolute path of the repository root. */
export const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/**
 * Absolute path of a first-party plugin's shipped entrypoint, `plugins/<name>/dist/main.js`:
 * tests run the built JavaScript that `npm start` runs, so a build mistake fails them.
 */
export function shippedPlugin(name: string): string {
  return join(repoRoot, 'plugins', name, 'dist', 'main.js');
}

/** Absolute path of a fixture plugin's entry file, e.g. fixture('echo/main.ts'). */
export function fixture(path: string): string {
  return join(repoRoot, 'tests', 'fixtures', path);
}

/** How long waitForState waits by default. */
const WAIT_FOR_STATE_TIMEOUT_MS = 15_000;

/** A kernel on a temporary plugins.json and data directory, removed by `close()`. */
export interface TestKernel {
  kernel: Kernel;
  dir: string;
  registryFile: string;
  /** Every state change so far, in order. */
  states: StateChange[];
  /** Resolves when `plugin` enters `state` (or already is in it), rejects after `timeout` ms (default 15 s). */
  waitForState(plugin: string, state: string, options?: { timeout?: number }): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Writes `plugins` as a registry in a fresh temp dir, opens a kernel on it, and starts it. */
export async function startTestKernel(plugins: object[], options: { start?: boolean; dataDir?: string; telemetryIntervalMs?: number; gateway?: object } = {}): Promise<TestKernel> {
  const dir = await mkdtemp(join(tmpdir(), 'cds-test-'));
  const registryFile = join(dir, 'plugins.json');
  await writeFile(registryFile, JSON.stringify(options.gateway ? { plugins, gateway: options.gateway } : { plugins }, null, 2));
  const kernel = await Kernel.open({ registryFile, dataDir: options.dataDir ?? join(dir, 'data'), logger: pino({ level: 'silent' }), telemetryIntervalMs: options.telemetryIntervalMs });
  const states: StateChange[] = [];
  const waiters = new Set<() => void>();
  kernel.topics.subscribe('test', 'kernel.plugin.state', (_topic, data) => {
    states.push(data as StateChange);
    for (const waiter of waiters) waiter();
  });
  if (options.start !== false) await kernel.start();
  const close = async () => {
    await kernel.close();
    await rm(dir, { recursive: true, force: true });
  };
  return {
    kernel,
    dir,
    registryFile,
    states,
    waitForState: (plugin, state, { timeout = WAIT_FOR_STATE_TIMEOUT_MS } = {}) =>
      new Promise<void>((resolveWait, reject) => {
        const check = () => {
          if (kernel.supervisor(plugin).state !== state) return;
          cleanup();
          resolveWait();
        };
        const timer = setTimeout(() => {
          cleanup();
          const supervisor = kernel.supervisor(plugin);
          const lastError = supervisor.lastError === undefined ? '' : `; last error: ${supervisor.lastError}`;
          reject(new Error(`plugin '${plugin}' did not reach '${state}' within ${timeout} ms (now '${supervisor.state}'; states: ${states.filter((s) => s.plugin === plugin).map((s) => s.to).join(' -> ')}${lastError})`));
        }, timeout);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Registers an afterEach that closes the kernel `open` started last; `open` is startTestKernel with `defaults` under the options it is given. */
export function kernelPerTest(defaults: Parameters<typeof startTestKernel>[1] = {}): (plugins: object[], options?: Parameters<typeof startTestKernel>[1]) => Promise<TestKernel> {
  let current: TestKernel | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (plugins, options = {}) => {
    current = await startTestKernel(plugins, { ...defaults, ...options });
    return current;
  };
}

/** True while a process with `pid` exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
