import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { openBenchKernel } from './bench-kernel.ts';
import { echoCall, runLoop, type LoopPlan, type LoopSummary } from './call-loops.ts';
import type { CallTarget } from './call-target.ts';
import { openJsonRpcTarget } from './json-rpc-target.ts';
import { childPids, cpuTimeMs, residentMiB } from './proc-status.ts';
import { openBareKoaTarget, openGatewayRpcTarget, openKoaForwardTarget } from './http-targets.ts';
import { openRawTarget } from './raw-target.ts';
import { openBareWsTarget, openGatewayWsTarget } from './ws-targets.ts';
import { round } from './stats.ts';

/** The call scenarios, in the order one run measures them. */
export const SCENARIOS = {
  raw: 'raw stdio echo, no library (baseline)',
  jsonrpc: 'json-rpc-2.0 on both ends, one hop',
  relay: 'raw relay, two hops, no library',
  'kernel-sdk': 'kernel -> plugin (SDK), kernel.call',
  'kernel-raw': 'kernel -> plugin (no SDK), kernel.call',
  bus: 'plugin -> kernel -> plugin, ctx.call',
  koa: 'bare koa JSON handler, keep-alive HTTP (baseline for /rpc)',
  'ws-bare': 'bare ws echo, one socket (baseline for /ws)',
  'koa-bus': '(context) bare koa handler -> kernel.call -> plugin (SDK), no gateway',
  rpc: 'gateway POST /rpc -> plugin (SDK), keep-alive HTTP',
  ws: 'gateway /ws -> plugin (SDK), one socket',
} as const;

export type ScenarioName = keyof typeof SCENARIOS;

/** One scenario measured once: sequential and `concurrency`-in-flight loops, and memory. */
export interface ScenarioResult {
  name: ScenarioName;
  description: string;
  /** Spawn (or kernel open and plugin start) to the first echoed reply. */
  firstReplyMs: number;
  sequential: LoopSummary;
  pipelined: LoopSummary;
  /**
   * CPU time (user + system, µs) each process involved spent per measured call, warm-up excluded;
   * read from /proc at 10 ms resolution, so about ±2 % at the default N.
   */
  cpuUsPerCall: { sequential: CpuPerCall; pipelined: CpuPerCall };
  /** Resident memory (MiB) of the processes involved, after the loops. */
  rssMiB: Record<string, number | undefined>;
}

/** CPU µs per call by process name (`harness`, `child`, `kernel`, or a plugin's name). */
export type CpuPerCall = Record<string, number | undefined>;

/** The processes a scenario involves, by name. */
type Processes = Record<string, number | undefined>;

/** What one run measured, with the machine load around it. */
export interface CallRun {
  startedAt: string;
  loadavgStart: number[];
  loadavgEnd: number[];
  scenarios: ScenarioResult[];
}

/** Settings of one run. */
export interface CallRunConfig {
  n: number;
  warmup: number;
  concurrency: number;
  /** Scenarios to run; all when unset. */
  only?: readonly ScenarioName[];
  /** Makes the plugins write CPU profiles here. */
  profileDir?: string;
}

/** Runs every selected scenario back to back, each against a fresh process (or kernel). */
export async function runCallScenarios(config: CallRunConfig, log: (line: string) => void): Promise<CallRun> {
  const selected = (name: ScenarioName) => !config.only || config.only.includes(name);
  const sequential: LoopPlan = { n: config.n, warmup: config.warmup, concurrency: 1 };
  const pipelined: LoopPlan = { n: config.n, warmup: config.warmup, concurrency: config.concurrency };
  const run: CallRun = { startedAt: new Date().toISOString(), loadavgStart: loadavgNow(), loadavgEnd: [], scenarios: [] };
  const record = (result: ScenarioResult) => {
    run.scenarios.push(result);
    log(
      `  ${result.name.padEnd(10)} seq p50 ${result.sequential.p50Us} µs p99 ${result.sequential.p99Us} µs ${result.sequential.callsPerSec}/s;` +
        ` ${config.concurrency} in flight ${result.pipelined.callsPerSec}/s`,
    );
  };

  const stdioTargets = [['raw', () => openRawTarget()], ['jsonrpc', openJsonRpcTarget], ['relay', () => openRawTarget('raw-relay.mjs')]] as const;
  for (const [name, open] of stdioTargets) {
    if (!selected(name)) continue;
    const opened = performance.now();
    const target = open();
    try {
      await echoCall((params) => target.echo(params))();
      const firstReplyMs = round(performance.now() - opened);
      const processes: Processes = { harness: process.pid, child: target.pid };
      const grandchild = childPids(target.pid)[0];
      if (grandchild !== undefined) processes.grandchild = grandchild;
      record({ ...(await measureTarget(name, target, processes, sequential, pipelined)), firstReplyMs, rssMiB: { child: residentMiB(target.pid) } });
    } finally {
      await target.close();
    }
  }

  const inProcessBaselines = [['koa', openBareKoaTarget], ['ws-bare', openBareWsTarget]] as const;
  for (const [name, open] of inProcessBaselines) {
    if (!selected(name)) continue;
    const opened = performance.now();
    const target = await open();
    try {
      await echoCall((params) => target.echo(params))();
      const firstReplyMs = round(performance.now() - opened);
      record({ ...(await measureTarget(name, target, { harness: process.pid }, sequential, pipelined)), firstReplyMs, rssMiB: { harness: residentMiB(process.pid) } });
    } finally {
      await target.close();
    }
  }

  if (selected('kernel-sdk') || selected('kernel-raw') || selected('bus') || selected('koa-bus') || selected('rpc') || selected('ws')) {
    const opened = performance.now();
    const bench = await openBenchKernel({ profileDir: config.profileDir });
    try {
      await echoCall((params) => bench.sdkPlugin.echo(params))();
      const firstReplyMs = round(performance.now() - opened);
      const pid = (plugin: string) => bench.kernel.supervisor(plugin).process?.pid;
      const memory = () => ({
        kernel: residentMiB(process.pid),
        'bench-echo': residentMiB(pid('bench-echo')),
        'bench-driver': residentMiB(pid('bench-driver')),
        'bench-raw': residentMiB(pid('bench-raw')),
      });
      for (const [name, target, plugin] of [['kernel-sdk', bench.sdkPlugin, 'bench-echo'], ['kernel-raw', bench.rawPlugin, 'bench-raw']] as const) {
        if (!selected(name)) continue;
        const processes = { kernel: process.pid, [plugin]: pid(plugin) };
        record({ ...(await measureTarget(name, target, processes, sequential, pipelined)), firstReplyMs, rssMiB: memory() });
      }
      const gatewayTargets = [
        ['koa-bus', () => openKoaForwardTarget((params) => bench.kernel.call('benchecho.echo', params))],
        ['rpc', async () => openGatewayRpcTarget(bench.gatewayUrl, 'benchecho.echo')],
        ['ws', () => openGatewayWsTarget(bench.gatewayUrl, 'benchecho.echo')],
      ] as const;
      for (const [name, open] of gatewayTargets) {
        if (!selected(name)) continue;
        const target = await open();
        try {
          await echoCall((params) => target.echo(params))();
          const processes = { kernel: process.pid, 'bench-echo': pid('bench-echo') };
          record({ ...(await measureTarget(name, target, processes, sequential, pipelined)), firstReplyMs, rssMiB: memory() });
        } finally {
          await target.close();
        }
      }
      if (selected('bus')) {
        const processes = { kernel: process.pid, 'bench-driver': pid('bench-driver'), 'bench-echo': pid('bench-echo') };
        // The warm-up is a call of its own, so that the CPU window holds the measured calls only.
        const driverLoop = async (plan: LoopPlan) => {
          await bench.runDriver({ ...plan, n: plan.warmup, warmup: 0 });
          return withCpu(processes, plan.n, () => bench.runDriver({ ...plan, warmup: 0 }));
        };
        const [driverSequential, cpuSequential] = await driverLoop(sequential);
        const [driverPipelined, cpuPipelined] = await driverLoop(pipelined);
        record({
          name: 'bus', description: SCENARIOS.bus, firstReplyMs, sequential: driverSequential, pipelined: driverPipelined,
          cpuUsPerCall: { sequential: cpuSequential, pipelined: cpuPipelined }, rssMiB: memory(),
        });
      }
    } finally {
      await bench.close();
    }
  }
  run.loadavgEnd = loadavgNow();
  log(`  loadavg ${run.loadavgStart.join(' ')} -> ${run.loadavgEnd.join(' ')}`);
  return run;
}

async function measureTarget(name: ScenarioName, target: CallTarget, processes: Processes, sequential: LoopPlan, pipelined: LoopPlan) {
  const call = echoCall((params) => target.echo(params));
  const loop = async ({ n, warmup, concurrency }: LoopPlan) => {
    await runLoop(call, warmup, concurrency);
    return withCpu(processes, n, () => runLoop(call, n, concurrency));
  };
  const [sequentialSummary, cpuSequential] = await loop(sequential);
  const [pipelinedSummary, cpuPipelined] = await loop(pipelined);
  return {
    name,
    description: SCENARIOS[name],
    sequential: sequentialSummary,
    pipelined: pipelinedSummary,
    cpuUsPerCall: { sequential: cpuSequential, pipelined: cpuPipelined },
  };
}

/** Runs `work` (a loop of `calls` calls) and divides each process's CPU time over it by `calls`. */
async function withCpu<Result>(processes: Processes, calls: number, work: () => Promise<Result>): Promise<[Result, CpuPerCall]> {
  const before = Object.entries(processes).map(([name, pid]) => [name, pid, cpuTimeMs(pid)] as const);
  const result = await work();
  const perCall = before.map(([name, pid, startMs]) => {
    const endMs = cpuTimeMs(pid);
    return [name, endMs === undefined || startMs === undefined ? undefined : round(((endMs - startMs) * 1000) / calls)] as const;
  });
  return [result, Object.fromEntries(perCall)];
}

const loadavgNow = () => loadavg().map((value) => round(value, 2));

