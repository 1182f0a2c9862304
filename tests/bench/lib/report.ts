import type { LoopSummary } from './call-loops.ts';
import { SCENARIOS, type CallRun, type ScenarioName } from './call-scenarios.ts';
import { round, spread, type Spread } from './stats.ts';
import type { StartupResult } from './startup-probes.ts';

/** The figures of one scenario across runs. */
export interface ScenarioSummary {
  description: string;
  seqP50Us?: Spread;
  seqP99Us?: Spread;
  seqCallsPerSec?: Spread;
  pipeCallsPerSec?: Spread;
  pipeP50Us?: Spread;
  pipeP99Us?: Spread;
  firstReplyMs?: Spread;
  /** CPU µs per call by process, for each loop. */
  cpuUsPerCall: { sequential: Record<string, Spread | undefined>; pipelined: Record<string, Spread | undefined> };
}

/** A ratio against the raw baseline, computed inside each run, with its target when it has one. */
export interface RatioSummary {
  label: string;
  perRun: number[];
  value?: Spread;
  /** `max`: the ratio must stay at or below it (latency); `min`: at or above it (throughput). */
  target?: { max?: number; min?: number };
  verdict?: 'PASS' | 'MISS';
  runsPassing?: number;
}

type Metric = 'seqP50Us' | 'pipeCallsPerSec' | 'seqCallsPerSec';

const metricOf: Record<Metric, (summary: { sequential: LoopSummary; pipelined: LoopSummary }) => number> = {
  seqP50Us: (result) => result.sequential.p50Us,
  seqCallsPerSec: (result) => result.sequential.callsPerSec,
  pipeCallsPerSec: (result) => result.pipelined.callsPerSec,
};

/** A ratio: `scenario`'s metric over the sum of the `baseline` scenarios' metric (default raw). */
const RATIOS: { scenario: ScenarioName; metric: Metric; label: string; baseline?: ScenarioName[]; target?: { max?: number; min?: number } }[] = [
  { scenario: 'bus', metric: 'seqP50Us', baseline: ['relay'], label: 'bus p50 / raw relay (2 hops) p50', target: { max: 1.2 } },
  { scenario: 'bus', metric: 'pipeCallsPerSec', baseline: ['relay'], label: 'bus in-flight calls/s / raw relay (2 hops)', target: { min: 1.0 } },
  { scenario: 'bus', metric: 'seqP50Us', label: '(context) bus p50 / raw p50' },
  { scenario: 'bus', metric: 'pipeCallsPerSec', label: '(context) bus in-flight calls/s / raw' },
  { scenario: 'kernel-sdk', metric: 'seqP50Us', label: 'kernel->plugin p50 / raw p50', target: { max: 2.5 } },
  { scenario: 'kernel-sdk', metric: 'pipeCallsPerSec', label: 'kernel->plugin in-flight calls/s / raw', target: { min: 0.5 } },
  { scenario: 'kernel-raw', metric: 'seqP50Us', label: '(context) kernel->raw plugin p50 / raw p50' },
  { scenario: 'kernel-raw', metric: 'pipeCallsPerSec', label: '(context) kernel->raw plugin in-flight calls/s / raw' },
  { scenario: 'relay', metric: 'seqP50Us', label: '(context) raw relay (2 hops) p50 / raw p50' },
  { scenario: 'relay', metric: 'pipeCallsPerSec', label: '(context) raw relay (2 hops) in-flight calls/s / raw' },
  { scenario: 'jsonrpc', metric: 'seqP50Us', label: '(context) json-rpc-2.0 p50 / raw p50' },
  { scenario: 'jsonrpc', metric: 'pipeCallsPerSec', label: '(context) json-rpc-2.0 in-flight calls/s / raw' },
  { scenario: 'rpc', metric: 'seqP50Us', baseline: ['koa', 'kernel-sdk'], label: '/rpc p50 / (bare koa p50 + kernel->plugin p50)', target: { max: 1.5 } },
  { scenario: 'rpc', metric: 'pipeCallsPerSec', baseline: ['koa'], label: '(context) /rpc in-flight calls/s / bare koa' },
  { scenario: 'koa-bus', metric: 'seqP50Us', baseline: ['koa', 'kernel-sdk'], label: '(context) koa -> kernel.call p50 / (bare koa p50 + kernel->plugin p50)' },
  { scenario: 'rpc', metric: 'seqP50Us', baseline: ['koa-bus'], label: '(context) /rpc p50 / koa -> kernel.call p50' },
  { scenario: 'ws', metric: 'pipeCallsPerSec', baseline: ['ws-bare'], label: '/ws in-flight calls/s / bare ws echo', target: { min: 0.5 } },
  { scenario: 'ws', metric: 'seqP50Us', baseline: ['ws-bare', 'kernel-sdk'], label: '(context) /ws p50 / (bare ws p50 + kernel->plugin p50)' },
];

/** Medians and ranges of every scenario's figures across `runs`. */
export function summarizeScenarios(runs: CallRun[]): Partial<Record<ScenarioName, ScenarioSummary>> {
  const summary: Partial<Record<ScenarioName, ScenarioSummary>> = {};
  for (const name of Object.keys(SCENARIOS) as ScenarioName[]) {
    const results = runs.map((run) => run.scenarios.find((result) => result.name === name)).filter((result) => result !== undefined);
    if (results.length === 0) continue;
    const over = (pick: (result: (typeof results)[number]) => number) => spread(results.map(pick));
    summary[name] = {
      description: SCENARIOS[name],
      seqP50Us: over((result) => result.sequential.p50Us),
      seqP99Us: over((result) => result.sequential.p99Us),
      seqCallsPerSec: over((result) => result.sequential.callsPerSec),
      pipeCallsPerSec: over((result) => result.pipelined.callsPerSec),
      pipeP50Us: over((result) => result.pipelined.p50Us),
      pipeP99Us: over((result) => result.pipelined.p99Us),
      firstReplyMs: over((result) => result.firstReplyMs),
      cpuUsPerCall: { sequential: cpuSpread(results.map((result) => result.cpuUsPerCall.sequential)), pipelined: cpuSpread(results.map((result) => result.cpuUsPerCall.pipelined)) },
    };
  }
  return summary;
}

function cpuSpread(perRun: Record<string, number | undefined>[]): Record<string, Spread | undefined> {
  const names = [...new Set(perRun.flatMap((cpu) => Object.keys(cpu)))];
  return Object.fromEntries(names.map((name) => [name, spread(perRun.map((cpu) => cpu[name]))]));
}

/** Each ratio per run (scenario ÷ raw in the same run), then its median [min–max] and verdict. */
export function summarizeRatios(runs: CallRun[]): RatioSummary[] {
  return RATIOS.flatMap(({ scenario, metric, label, target, baseline = ['raw'] }) => {
    const perRun = runs.flatMap((run) => {
      const bases = baseline.map((name) => run.scenarios.find((result) => result.name === name));
      const other = run.scenarios.find((result) => result.name === scenario);
      if (!other || bases.some((base) => base === undefined)) return [];
      const denominator = bases.reduce((sum, base) => sum + metricOf[metric](base!), 0);
      return [round(metricOf[metric](other) / denominator, 3)];
    });
    if (perRun.length === 0) return [];
    const value = spread(perRun);
    const meets = (ratio: number) => (target?.max === undefined || ratio <= target.max) && (target?.min === undefined || ratio >= target.min);
    return [{
      label, perRun, value, target,
      ...(target && value ? { verdict: meets(value.median) ? 'PASS' : 'MISS', runsPassing: perRun.filter(meets).length } as const : {}),
    }];
  });
}

/** Medians of the start-up samples. */
export function summarizeStartup(startup: StartupResult) {
  return {
    kernelIdleRssMiB: spread(startup.kernelIdleRssMiB),
    treeRssMiB: spread(startup.treeRssMiB),
    treePssMiB: spread(startup.treePssMiB),
    treeProcesses: spread(startup.treeProcesses),
    nodeIdleRssMiB: spread(startup.nodeIdleRssMiB),
    kernelReadyMs: spread(startup.kernelReadyMs),
    helloSpawnToReadyMs: spread(startup.pluginReady.hello.spawnToReadyMs),
    helloStartCallMs: spread(startup.pluginReady.hello.startCallMs),
    rawSpawnToReadyMs: spread(startup.pluginReady.raw.spawnToReadyMs),
    rawStartCallMs: spread(startup.pluginReady.raw.startCallMs),
    nodeFirstLineMs: spread(startup.nodeFirstLineMs),
    nodeFirstLineInheritedEnvMs: spread(startup.nodeFirstLineInheritedEnvMs),
  };
}

/** The human-readable tables printed at the end of `npm run bench`. */
export function formatReport(
  scenarios: Partial<Record<ScenarioName, ScenarioSummary>>,
  ratios: RatioSummary[],
  startup: ReturnType<typeof summarizeStartup> | undefined,
  { runs, n, concurrency, slices, cpus }: { runs: number; n: number; concurrency: number; slices: number; cpus: string },
): string {
  const lines: string[] = [];
  const taken = slices > 1 ? `, each loop in ${slices} parts taken in turn with the other scenarios` : '';
  lines.push(`Calls: {msg: 'hello'}, ${n} sequential and ${n} with ${concurrency} in flight per scenario${taken}; medians of ${runs} run(s); CPUs ${cpus}.`, '');
  lines.push(table(
    ['scenario', 'seq p50 µs', 'seq p99 µs', 'seq calls/s', `${concurrency}-in-flight calls/s`, `${concurrency}-in-flight p50 µs`],
    Object.values(scenarios).map((summary) => [
      summary.description, fixed(summary.seqP50Us), fixed(summary.seqP99Us), whole(summary.seqCallsPerSec), whole(summary.pipeCallsPerSec), fixed(summary.pipeP50Us),
    ]),
  ));
  const cpu = (byProcess: Record<string, Spread | undefined>) => {
    const parts = Object.entries(byProcess).filter((entry): entry is [string, Spread] => entry[1] !== undefined);
    const total = parts.reduce((sum, [, value]) => sum + value.median, 0);
    return `${parts.map(([name, value]) => `${name} ${value.median.toFixed(1)}`).join(' + ')} = ${total.toFixed(1)}`;
  };
  lines.push('', 'CPU time per call, µs (user + system, per process; medians):', '');
  lines.push(table(
    ['scenario', 'sequential', `${concurrency} in flight`],
    Object.values(scenarios).map((summary) => [summary.description, cpu(summary.cpuUsPerCall.sequential), cpu(summary.cpuUsPerCall.pipelined)]),
  ));
  lines.push('', 'Ratios (computed inside each run; median [min–max] across runs):', '');
  lines.push(table(
    ['ratio', 'median [min–max]', 'target', 'verdict'],
    ratios.map((ratio) => [
      ratio.label,
      ratio.value ? `${ratio.value.median.toFixed(2)} [${ratio.value.min.toFixed(2)}–${ratio.value.max.toFixed(2)}]` : '-',
      ratio.target ? (ratio.target.max !== undefined ? `≤ ${ratio.target.max}` : `≥ ${ratio.target.min}`) : '',
      ratio.verdict ? `${ratio.verdict} (${ratio.runsPassing}/${ratio.perRun.length} runs pass)` : '',
    ]),
  ));
  if (startup) {
    const ratioOf = (a?: Spread, b?: Spread) => (a && b ? a.median / b.median : undefined);
    const ratio = (a?: Spread, b?: Spread) => { const value = ratioOf(a, b); return value === undefined ? '-' : `${value.toFixed(2)}x`; };
    const verdict = (value: number | undefined, max: number) => (value === undefined ? '' : value <= max ? 'PASS' : 'MISS');
    lines.push('', 'Start-up and idle memory (medians; cyberstudio start on the repository\'s plugins.json and a warm data directory, read 2 s after "kernel ready"):', '');
    lines.push(table(['measure', 'value', 'baseline', 'ratio', 'target', 'verdict'], [
      ['idle RSS of the kernel process, MiB', fixed(startup.kernelIdleRssMiB), `${fixed(startup.nodeIdleRssMiB)} (bare node)`, ratio(startup.kernelIdleRssMiB, startup.nodeIdleRssMiB), '≤ 1.6x', verdict(ratioOf(startup.kernelIdleRssMiB, startup.nodeIdleRssMiB), 1.6)],
      [`whole default start, RSS summed over ${fixed(startup.treeProcesses)} processes, MiB`, fixed(startup.treeRssMiB), '', '', '≤ 300', verdict(startup.treeRssMiB?.median, 300)],
      ['(context) the same tree, PSS summed (shared pages once), MiB', fixed(startup.treePssMiB), '', '', '', ''],
      ['cyberstudio start: spawn -> "kernel ready", ms', fixed(startup.kernelReadyMs), '', '', '≤ 1500', verdict(startup.kernelReadyMs?.median, 1500)],
      ['hello (SDK, built): spawn -> initialized, ms', fixed(startup.helloSpawnToReadyMs), `${fixed(startup.nodeFirstLineMs)} (node -e first line)`, ratio(startup.helloSpawnToReadyMs, startup.nodeFirstLineMs), '≤ 2x', verdict(ratioOf(startup.helloSpawnToReadyMs, startup.nodeFirstLineMs), 2)],
      ['hello (SDK, built): supervisor.start(), ms', fixed(startup.helloStartCallMs), '', ratio(startup.helloStartCallMs, startup.nodeFirstLineMs), '', ''],
      ['raw .mjs plugin: spawn -> initialized, ms', fixed(startup.rawSpawnToReadyMs), `${fixed(startup.nodeFirstLineMs)} (node -e first line)`, ratio(startup.rawSpawnToReadyMs, startup.nodeFirstLineMs), '', ''],
      ['raw .mjs plugin: supervisor.start(), ms', fixed(startup.rawStartCallMs), '', ratio(startup.rawStartCallMs, startup.nodeFirstLineMs), '', ''],
      ['node -e first line, this process\'s whole env, ms', fixed(startup.nodeFirstLineInheritedEnvMs), '', '', '', ''],
    ]));
    lines.push('', 'Ready-time baseline: node -e "console.log(1)" in the environment the kernel gives plugins (PATH, HOME, LANG, TZ, TMPDIR).');
  }
  return lines.join('\n');
}

const fixed = (value?: Spread) => (value ? value.median.toFixed(1) : '-');
const whole = (value?: Spread) => (value ? Math.round(value.median).toLocaleString('en-US') : '-');

/** Lays `rows` out under `header` in aligned columns (the first left-aligned, the rest right-aligned). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
