import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Gateway, Kernel } from '@cyberstudio/kernel';
import { BENCH_DIST } from './build-bench.ts';
import type { CallTarget } from './call-target.ts';
import type { LoopPlan, LoopSummary } from './call-loops.ts';

const benchDir = fileURLToPath(new URL('../', import.meta.url));

/** Seconds the driver's one long `benchdriver.run` call may take; the defaults (30 s idle) are for real work. */
const DRIVER_TIMEOUT_SECONDS = 3600;

/** A real kernel serving the benchmark plugins: bench-echo (SDK), bench-driver (SDK) and bench-raw (no SDK). */
export interface BenchKernel {
  readonly kernel: Kernel;
  /** The kernel's gateway on an ephemeral loopback port (no auth: the local operator). */
  readonly gatewayUrl: string;
  /** kernel -> bench-echo: `kernel.call('benchecho.echo')` from this process. */
  readonly sdkPlugin: CallTarget;
  /** kernel -> bench-raw: the same route to a plugin without the SDK. */
  readonly rawPlugin: CallTarget;
  /** plugin -> kernel -> plugin: bench-driver calls `benchecho.echo` with ctx.call and times each call itself. */
  runDriver(plan: LoopPlan): Promise<LoopSummary>;
  /** Stops the plugins and removes the temporary registry and data. */
  close(): Promise<void>;
}

/** Where plugins write CPU profiles (`node --cpu-prof`), one directory per plugin; unset: no profiling. */
export interface BenchKernelOptions {
  profileDir?: string;
}

/** Writes a temporary plugins.json for the benchmark plugins, opens a kernel on it and starts them. */
export async function openBenchKernel(options: BenchKernelOptions = {}): Promise<BenchKernel> {
  const dir = await mkdtemp(join(tmpdir(), 'cds-bench-'));
  const registryFile = join(dir, 'plugins.json');
  // NODE_OPTIONS may not carry --cpu-prof, so a profiled plugin is launched as a command.
  const launch = (plugin: string, entrypoint: string) =>
    options.profileDir
      ? { command: process.execPath, args: ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, plugin)}`, entrypoint] }
      : { entrypoint };
  const plugins = [
    {
      name: 'bench-echo',
      ...launch('bench-echo', join(BENCH_DIST, 'plugins/bench-echo/main.js')),
      activation: 'startup',
      capabilities: ['benchecho.echo'],
    },
    {
      name: 'bench-driver',
      ...launch('bench-driver', join(BENCH_DIST, 'plugins/bench-driver/main.js')),
      activation: 'startup',
      capabilities: ['benchdriver.run'],
      dependencies: ['bench-echo'],
      permissions: { call: ['benchecho.*'] },
      limits: { callTimeoutSeconds: DRIVER_TIMEOUT_SECONDS, callTotalTimeoutSeconds: DRIVER_TIMEOUT_SECONDS },
    },
    {
      name: 'bench-raw',
      entrypoint: join(benchDir, 'children/raw-plugin.mjs'),
      activation: 'startup',
      capabilities: ['rawplugin.echo'],
    },
  ];
  await writeFile(registryFile, JSON.stringify({ plugins }, null, 2));
  const kernel = await Kernel.open({ registryFile, dataDir: join(dir, 'data'), logger: pino({ level: 'silent' }) });
  const gateway = await Gateway.listen({ kernel, settings: { ...kernel.registry.gateway, port: 0 }, logger: pino({ level: 'silent' }) });
  await kernel.start();
  const notRunning = kernel.supervisors.filter((supervisor) => supervisor.process === undefined);
  if (notRunning.length > 0) {
    await closeKernel(kernel, gateway, dir);
    throw new Error(`benchmark plugins did not start: ${notRunning.map((supervisor) => `${supervisor.name} (${supervisor.lastError})`).join(', ')}`);
  }
  const route = (plugin: string, capability: string): CallTarget => ({
    get pid() {
      return kernel.supervisor(plugin).process?.pid;
    },
    echo: (params) => kernel.call(capability, params),
    close: async () => {},
  });
  return {
    kernel,
    gatewayUrl: gateway.url,
    sdkPlugin: route('bench-echo', 'benchecho.echo'),
    rawPlugin: route('bench-raw', 'rawplugin.echo'),
    runDriver: async ({ n, warmup, concurrency }) =>
      (await kernel.call('benchdriver.run', { capability: 'benchecho.echo', n, warmup, concurrency })) as LoopSummary,
    close: () => closeKernel(kernel, gateway, dir),
  };
}

async function closeKernel(kernel: Kernel, gateway: Gateway, dir: string): Promise<void> {
  await gateway.close();
  await kernel.close();
  await rm(dir, { recursive: true, force: true });
}
