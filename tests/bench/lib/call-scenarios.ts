import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { openBenchKernel, type BenchKernel } from './bench-kernel.ts';
import { echoCall, recordLoop, runLoop, summarize, type LoopPlan, type LoopSummary, type MeasuredCall } from './call-loops.ts';
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
  /**
   * Parts each scenario's loop is measured in, the scenarios taking turns part by part; 1 measures
   * each loop in one piece, one scenario after another.
   */
  slices: number;
  /** Scenarios to run; all when unset. */
  only?: readonly ScenarioName[];
  /** Makes the plugins write CPU profiles here. */
  profileDir?: string;
}

/** A scenario's target, open and answering, with what measuring it needs. */
interface OpenScenario {
  name: ScenarioName;
  call: MeasuredCall;
  processes: Processes;
  firstReplyMs: number;
  rssMiB(): Record<string, number | undefined>;
}

/**
 * Opens every selected scenario's target (child processes, in-process servers, one kernel), then
 * measures them all interleaved (see measureInterleaved), then the bus scenario, whose loops run
 * inside bench-driver.
 */
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
  const scenarios: OpenScenario[] = [];
  const closers: (() => Promise<void>)[] = [];
  /**
   * Checks one echo of the opened `target` and adds it to the scenarios; its first reply is timed
   * from `since`, or is `firstReplyMs` when given (the kernel scenarios report the kernel's start-up).
   */
  const add = async (name: ScenarioName, target: CallTarget, since: number, processes: Processes, rssMiB: () => Record<string, number | undefined>, firstReplyMs?: number) => {
    closers.push(() => target.close());
    const call = echoCall((params) => target.echo(params));
    await call();
    scenarios.push({ name, call, processes, firstReplyMs: firstReplyMs ?? round(performance.now() - since), rssMiB });
  };

  try {
    const stdioTargets = [['raw', () => openRawTarget()], ['jsonrpc', openJsonRpcTarget], ['relay', () => openRawTarget('raw-relay.mjs')]] as const;
    for (const [name, open] of stdioTargets) {
      if (!selected(name)) continue;
      const opened = performance.now();
      const target = open();
      const processes: Processes = { harness: process.pid, child: target.pid };
      await add(name, target, opened, processes, () => ({ child: residentMiB(target.pid) }));
      const grandchild = childPids(target.pid)[0];
      if (grandchild !== undefined) processes.grandchild = grandchild;
    }

    const inProcessBaselines = [['koa', openBareKoaTarget], ['ws-bare', openBareWsTarget]] as const;
    for (const [name, open] of inProcessBaselines) {
      if (!selected(name)) continue;
      const opened = performance.now();
      await add(name, await open(), opened, { harness: process.pid }, () => ({ harness: residentMiB(process.pid) }));
    }

    let bench: BenchKernel | undefined;
    let kernelFirstReplyMs = 0;
    let memory = () => ({});
    if (selected('kernel-sdk') || selected('kernel-raw') || selected('bus') || selected('koa-bus') || selected('rpc') || selected('ws')) {
      const opened = performance.now();
      const kernel = await openBenchKernel({ profileDir: config.profileDir });
      bench = kernel;
      closers.push(() => kernel.close());
      await echoCall((params) => kernel.sdkPlugin.echo(params))();
      kernelFirstReplyMs = round(performance.now() - opened);
      const pid = (plugin: string) => kernel.kernel.supervisor(plugin).process?.pid;
      memory = () => ({
        kernel: residentMiB(process.pid),
        'bench-echo': residentMiB(pid('bench-echo')),
        'bench-driver': residentMiB(pid('bench-driver')),
        'bench-raw': residentMiB(pid('bench-raw')),
      });
      const kernelTargets = [
        ['kernel-sdk', async () => kernel.sdkPlugin, 'bench-echo'],
        ['kernel-raw', async () => kernel.rawPlugin, 'bench-raw'],
        ['koa-bus', () => openKoaForwardTarget((params) => kernel.kernel.call('benchecho.echo', params)), 'bench-echo'],
        ['rpc', async () => openGatewayRpcTarget(kernel.gatewayUrl, 'benchecho.echo'), 'bench-echo'],
        ['ws', () => openGatewayWsTarget(kernel.gatewayUrl, 'benchecho.echo'), 'bench-echo'],
      ] as const;
      for (const [name, open, plugin] of kernelTargets) {
        if (!selected(name)) continue;
        await add(name, await open(), opened, { kernel: process.pid, [plugin]: pid(plugin) }, memory, kernelFirstReplyMs);
      }
    }

    const slices = Math.max(1, Math.min(config.slices, config.n));
    const measuredSequential = await measureInterleaved(scenarios, sequential, slices);
    const measuredPipelined = await measureInterleaved(scenarios, pipelined, slices);
    for (const scenario of scenarios) {
      const [sequentialSummary, cpuSequential] = measuredSequential.get(scenario.name)!;
      const [pipelinedSummary, cpuPipelined] = measuredPipelined.get(scenario.name)!;
      record({
        name: scenario.name, description: SCENARIOS[scenario.name], firstReplyMs: scenario.firstReplyMs,
        sequential: sequentialSummary, pipelined: pipelinedSummary,
        cpuUsPerCall: { sequential: cpuSequential, pipelined: cpuPipelined }, rssMiB: scenario.rssMiB(),
      });
    }

    if (bench && selected('bus')) {
      const driver = bench;
      const pid = (plugin: string) => driver.kernel.supervisor(plugin).process?.pid;
      const processes = { kernel: process.pid, 'bench-driver': pid('bench-driver'), 'bench-echo': pid('bench-echo') };
      // The warm-up is a call of its own, so that the CPU window holds the measured calls only.
      const driverLoop = async (plan: LoopPlan) => {
        await driver.runDriver({ ...plan, n: plan.warmup, warmup: 0 });
        return withCpu(processes, plan.n, () => driver.runDriver({ ...plan, warmup: 0 }));
      };
      const [driverSequential, cpuSequential] = await driverLoop(sequential);
      const [driverPipelined, cpuPipelined] = await driverLoop(pipelined);
      record({
        name: 'bus', description: SCENARIOS.bus, firstReplyMs: kernelFirstReplyMs, sequential: driverSequential, pipelined: driverPipelined,
        cpuUsPerCall: { sequential: cpuSequential, pipelined: cpuPipelined }, rssMiB: memory(),
      });
    }
  } finally {
    for (const close of closers.reverse()) await close();
  }
  run.loadavgEnd = loadavgNow();
  log(`  loadavg ${run.loadavgStart.join(' ')} -> ${run.loadavgEnd.join(' ')}`);
  return run;
}

/**
 * Measures one loop (`plan`) of every scenario: each scenario's warm-up first, then `plan.n` calls
 * per scenario in `slices` parts, the scenarios taking turns part by part and the first of each
 * turn rotating. A burst of load from elsewhere on this shared machine then falls on every
 * scenario alike instead of on whichever happened to run at the time, which is what the ratios
 * of one run need. Latency percentiles come from all of a scenario's calls together; calls/s is
 * its calls over the summed time of its parts; CPU per call sums each part's CPU time.
 */
async function measureInterleaved(scenarios: OpenScenario[], plan: LoopPlan, slices: number): Promise<Map<ScenarioName, [LoopSummary, CpuPerCall]>> {
  for (const scenario of scenarios) await runLoop(scenario.call, plan.warmup, plan.concurrency);
  const parts = Array.from({ length: slices }, (_, index) => Math.floor((plan.n * (index + 1)) / slices) - Math.floor((plan.n * index) / slices));
  const taken = new Map(scenarios.map((scenario) => [scenario.name, { latencyMs: new Float64Array(plan.n), filled: 0, elapsedMs: 0, cpuMs: new Map<string, number>() }]));
  for (const [turn, size] of parts.entries()) {
    for (let offset = 0; offset < scenarios.length; offset++) {
      const scenario = scenarios[(turn + offset) % scenarios.length]!;
      const sums = taken.get(scenario.name)!;
      const before = Object.entries(scenario.processes).map(([name, pid]) => [name, pid, cpuTimeMs(pid)] as const);
      const part = await recordLoop(scenario.call, size, plan.concurrency);
      for (const [name, pid, startMs] of before) {
        const endMs = cpuTimeMs(pid);
        // NaN (a process whose CPU time could not be read) stays NaN through the sum and reports as unknown.
        sums.cpuMs.set(name, (sums.cpuMs.get(name) ?? 0) + (endMs === undefined || startMs === undefined ? Number.NaN : endMs - startMs));
      }
      sums.latencyMs.set(part.latencyMs, sums.filled);
      sums.filled += part.latencyMs.length;
      sums.elapsedMs += part.elapsedMs;
    }
  }
  const measured = new Map<ScenarioName, [LoopSummary, CpuPerCall]>();
  for (const [name, sums] of taken) {
    const cpu = Object.fromEntries([...sums.cpuMs].map(([processName, ms]) => [processName, Number.isNaN(ms) ? undefined : round((ms * 1000) / plan.n)]));
    measured.set(name, [summarize(sums.latencyMs, sums.elapsedMs, plan.concurrency), cpu]);
  }
  return measured;
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

