import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Kernel, launchEnvironment } from '@cyberstudio/kernel';
import { processTree, proportionalMiB, residentMiB } from './proc-status.ts';
import { round } from './stats.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const benchDir = fileURLToPath(new URL('../', import.meta.url));

/** How long an idle process settles before its RSS is read. */
const SETTLE_MS = 2000;
const KERNEL_READY_TIMEOUT_MS = 30_000;
const EXIT_GRACE_MS = 10_000;

/** Samples of start-up cost and idle memory; every array holds one value per sample. */
export interface StartupResult {
  /** RSS (MiB) of `cyberstudio start` on the repository's plugins.json, 2 s after "kernel ready" (warm data directory). */
  kernelIdleRssMiB: number[];
  /** The same start's whole process tree (kernel, every startup plugin, their descendants): RSS summed (MiB). */
  treeRssMiB: number[];
  /** The same tree's PSS summed (MiB): shared pages such as node's own code counted once across the tree. */
  treePssMiB: number[];
  /** Processes in that tree. */
  treeProcesses: number[];
  /** RSS (MiB) of `node -e "setInterval(()=>{},1000)"`, 2 s after spawn. */
  nodeIdleRssMiB: number[];
  /** `cyberstudio start` spawn to its "kernel ready" log line (ms). */
  kernelReadyMs: number[];
  /** Plugin spawn to `initialized` sent (PluginProcess.readyAt - spawnedAt, ms resolution), and supervisor.start() wall time (ms). */
  pluginReady: Record<'hello' | 'raw', { spawnToReadyMs: number[]; startCallMs: number[] }>;
  /** `node -e "console.log(1)"` spawn to its first stdout byte (ms), in the environment the kernel gives plugins. */
  nodeFirstLineMs: number[];
  /** The same in this process's whole environment (which may hold start-up costs such as NODE_EXTRA_CA_CERTS). */
  nodeFirstLineInheritedEnvMs: number[];
}

/** Measures idle RSS (`rssSamples` each) and plugin ready times (`readySamples` each, after one unmeasured start). */
export async function probeStartup({ rssSamples, readySamples }: { rssSamples: number; readySamples: number }, log: (line: string) => void): Promise<StartupResult> {
  const result: StartupResult = {
    kernelIdleRssMiB: [],
    treeRssMiB: [],
    treePssMiB: [],
    treeProcesses: [],
    nodeIdleRssMiB: [],
    kernelReadyMs: [],
    pluginReady: { hello: { spawnToReadyMs: [], startCallMs: [] }, raw: { spawnToReadyMs: [], startCallMs: [] } },
    nodeFirstLineMs: [],
    nodeFirstLineInheritedEnvMs: [],
  };
  const dataDir = await mkdtemp(join(tmpdir(), 'cds-bench-idle-'));
  try {
    // The first start is unmeasured: it creates the data directory's databases, the admin and the demo model.
    await idleKernel(dataDir);
    for (let sample = 0; sample < rssSamples; sample++) {
      const kernel = await idleKernel(dataDir);
      result.kernelIdleRssMiB.push(kernel.rssMiB);
      result.treeRssMiB.push(kernel.treeRssMiB);
      result.treePssMiB.push(kernel.treePssMiB);
      result.treeProcesses.push(kernel.treeProcesses);
      result.kernelReadyMs.push(kernel.readyMs);
      result.nodeIdleRssMiB.push(await idleNode());
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  log(`  idle RSS: kernel ${result.kernelIdleRssMiB.join(', ')} MiB; whole start ${result.treeRssMiB.join(', ')} MiB RSS, ${result.treePssMiB.join(', ')} MiB PSS (${result.treeProcesses.join(', ')} processes); bare node ${result.nodeIdleRssMiB.join(', ')} MiB; ready ${result.kernelReadyMs.join(', ')} ms`);
  await measurePluginReady(result, readySamples);
  log(`  ready: hello ${result.pluginReady.hello.spawnToReadyMs.join(', ')} ms; raw ${result.pluginReady.raw.spawnToReadyMs.join(', ')} ms; node first line ${result.nodeFirstLineMs.join(', ')} ms (inherited env ${result.nodeFirstLineInheritedEnvMs.join(', ')} ms)`);
  return result;
}

/** What one `cyberstudio start` measured once settled. */
interface IdleKernel {
  rssMiB: number;
  treeRssMiB: number;
  treePssMiB: number;
  treeProcesses: number;
  readyMs: number;
}

/** Starts the real CLI on the repository's plugins.json and `dataDir`, and reads its memory once it has settled. */
async function idleKernel(dataDir: string): Promise<IdleKernel> {
  const started = performance.now();
  const child = spawn(process.execPath, ['kernel/bin/cyberstudio.mjs', 'start', '--plugins', join(repoRoot, 'plugins.json'), '--data', dataDir, '--port', '0', '--json'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await waitForLogLine(child, 'kernel ready');
    const readyMs = round(performance.now() - started);
    await sleep(SETTLE_MS);
    const rssMiB = residentMiB(child.pid);
    if (rssMiB === undefined) throw new Error('could not read the kernel RSS from /proc');
    const tree = processTree(child.pid!);
    const sum = (values: (number | undefined)[]) => round(values.reduce<number>((total, value) => total + (value ?? 0), 0), 1);
    return { rssMiB, readyMs, treeRssMiB: sum(tree.map(residentMiB)), treePssMiB: sum(tree.map(proportionalMiB)), treeProcesses: tree.length };
  } finally {
    await stop(child, 'SIGINT');
  }
}

/** A bare node process that only keeps its event loop alive. */
async function idleNode(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
  try {
    await once(child, 'spawn');
    await sleep(SETTLE_MS);
    const rssMiB = residentMiB(child.pid);
    if (rssMiB === undefined) throw new Error('could not read the node RSS from /proc');
    return rssMiB;
  } finally {
    await stop(child, 'SIGTERM');
  }
}

function waitForLogLine(child: ChildProcess, message: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${message}" log line within ${KERNEL_READY_TIMEOUT_MS} ms`)), KERNEL_READY_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`the kernel exited with code ${code} before "${message}"`)));
    let partial = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (!line.includes(message) || (JSON.parse(line) as { msg?: string }).msg !== message) continue;
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts and stops the SDK hello plugin (its build, under node) and the raw plugin through a real kernel, and
 * spawns `node -e "console.log(1)"`, interleaved so drift in machine load hits all three alike.
 */
async function measurePluginReady(result: StartupResult, samples: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cds-bench-ready-'));
  const registryFile = join(dir, 'plugins.json');
  const plugins = [
    { name: 'hello', entrypoint: join(repoRoot, 'plugins/hello/dist/main.js'), activation: 'lazy', capabilities: ['hello.echo', 'hello.stream'] },
    { name: 'bench-raw', entrypoint: join(benchDir, 'children/raw-plugin.mjs'), activation: 'lazy', capabilities: ['rawplugin.echo'] },
  ];
  await writeFile(registryFile, JSON.stringify({ plugins }, null, 2));
  const kernel = await Kernel.open({ registryFile, dataDir: join(dir, 'data'), logger: pino({ level: 'silent' }) });
  try {
    // The first round is unmeasured: it warms the file cache and the kernel's code paths.
    for (let pass = 0; pass <= samples; pass++) {
      const measured = pass > 0;
      for (const [key, plugin] of [['hello', 'hello'], ['raw', 'bench-raw']] as const) {
        const supervisor = kernel.supervisor(plugin);
        const started = performance.now();
        const pluginProcess = await supervisor.start({ reason: 'benchmark' });
        const startCallMs = performance.now() - started;
        if (measured) {
          result.pluginReady[key].spawnToReadyMs.push(pluginProcess.readyAt - pluginProcess.spawnedAt);
          result.pluginReady[key].startCallMs.push(roundMs(startCallMs));
        }
        await supervisor.stop('benchmark');
      }
      const firstLineMs = await nodeFirstLine(pluginEnvironment);
      const inheritedEnvMs = await nodeFirstLine(process.env);
      if (measured) {
        result.nodeFirstLineMs.push(firstLineMs);
        result.nodeFirstLineInheritedEnvMs.push(inheritedEnvMs);
      }
    }
  } finally {
    await kernel.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** What a plugin without `env` or `envAllow` in plugins.json inherits from the kernel. */
const pluginEnvironment = launchEnvironment({ env: {}, envAllow: [] });

/** Spawn of `node -e "console.log(1)"` (environment `env`) to the first byte on its stdout. */
async function nodeFirstLine(env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', 'console.log(1)'], { stdio: ['ignore', 'pipe', 'ignore'], env });
  const exited = once(child, 'exit');
  await once(child.stdout, 'data');
  const ms = roundMs(performance.now() - started);
  child.stdout.resume();
  await exited;
  return ms;
}

const roundMs = (ms: number) => round(ms, 1);
