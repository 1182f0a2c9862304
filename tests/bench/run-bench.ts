// `npm run bench`: the CyberDevStudio call, start-up and llm benchmark. See docs/performance.md.
// Each run is a fresh process (run-once.ts) that measures every call scenario back to back, so
// the ratios inside a run share the machine's load; then one process measures start-up and idle
// memory, and one (llm/llm-bench.ts) compares llmserver's streamed /v1/chat/completions with
// node-llama-cpp in-process. Prints tables and writes tests/bench/results.json.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildBench } from './lib/build-bench.ts';
import { SCENARIOS, type CallRun, type CallRunConfig, type ScenarioName } from './lib/call-scenarios.ts';
import { formatProfileSummary, summarizeCpuProfile } from './lib/cpu-profile-summary.ts';
import type { KillSettleResult } from './lib/kill-settle-probe.ts';
import { formatKillSettle, summarizeKillSettle } from './lib/kill-settle-report.ts';
import { formatReport, summarizeRatios, summarizeScenarios, summarizeStartup } from './lib/report.ts';
import type { StartupResult } from './lib/startup-probes.ts';
import { formatLlmReport, summarizeLlm } from './llm/llm-report.ts';
import type { LlmBenchConfig, LlmRun } from './llm/llm-workload.ts';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(benchDir, '../..');

/** Unmeasured llm rounds (one generation per side and max_tokens) before measuring: the first loads the model in llmserver. */
const LLM_WARMUP_ROUNDS = 3;

const help = `Usage: npm run bench -- [options]

  --runs <k>            measuring runs, each a fresh process running every scenario (default 3)
  --n <calls>           measured calls per loop, sequential and in flight (default 20000)
  --warmup <calls>      unmeasured calls before each loop (default 2000)
  --concurrency <c>     calls in flight in the pipelined loop (default 64)
  --slices <k>          parts each loop is measured in, the scenarios taking turns part by part, so that
                        load from elsewhere falls on baselines and targets alike (default 10; 1: each loop
                        in one piece, one scenario after another)
  --only <a,b>          scenarios: ${Object.keys(SCENARIOS).join(', ')} (each ratio needs its baselines: raw; koa + kernel-sdk for rpc and koa-bus; ws-bare for ws),
                        and llm; without a call scenario (--only llm) neither calls nor start-up are measured
  --ready-samples <k>   plugin start-ups per plugin for ready times (default 10)
  --rss-samples <k>     idle RSS samples of the kernel and of bare node (default 3)
  --skip-startup        no start-up / idle memory measures
  --kill-rounds <k>     rounds of the kill -9 probe: 1000 calls in flight, the provider killed, time to settle them all (default 3)
  --skip-kill           no kill -9 probe
  --skip-llm            no llm benchmark (llmserver's streamed /v1/chat/completions against node-llama-cpp in-process)
  --llm-runs <k>        llm rounds per max_tokens, each one generation per side, interleaved (default 20)
  --llm-tokens <list>   llm max_tokens values (default 128,256)
  --cpus <list|all>     CPUs every measuring process and its children run on, via taskset
                        (default 0: one CPU, see docs/performance.md; all: no pinning)
  --out <file>          results file (default tests/bench/results.json)
  --profile <dir>       instead: one run of --only's call scenarios (default bus) with every node process under
                        --cpu-prof, profiles and their summaries in <dir>
  -h, --help`;

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    n: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    slices: { type: 'string', default: '10' },
    only: { type: 'string' },
    'ready-samples': { type: 'string', default: '10' },
    'rss-samples': { type: 'string', default: '3' },
    'skip-startup': { type: 'boolean', default: false },
    'kill-rounds': { type: 'string', default: '3' },
    'skip-kill': { type: 'boolean', default: false },
    'skip-llm': { type: 'boolean', default: false },
    'llm-runs': { type: 'string', default: '20' },
    'llm-tokens': { type: 'string', default: '128,256' },
    cpus: { type: 'string', default: '0' },
    out: { type: 'string', default: join(benchDir, 'results.json') },
    profile: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (options.help) {
  console.log(help);
  process.exit(0);
}
const count = (name: keyof typeof options, minimum: number): number => {
  const value = Number(options[name]);
  if (!Number.isInteger(value) || value < minimum) throw new Error(`--${name} must be an integer >= ${minimum}, got ${options[name]}`);
  return value;
};
const LLM = 'llm';
const selection = options.only?.split(',').map((name) => name.trim());
const unknown = selection?.filter((name) => !(name in SCENARIOS) && name !== LLM);
if (unknown?.length) throw new Error(`--only: unknown scenario(s) ${unknown.join(', ')}; known: ${[...Object.keys(SCENARIOS), LLM].join(', ')}`);
const only = selection?.filter((name): name is ScenarioName => name in SCENARIOS);
const measureCalls = only === undefined || only.length > 0;
const measureLlm = !options['skip-llm'] && (selection === undefined || selection.includes(LLM));
const config: CallRunConfig = { n: count('n', 1), warmup: count('warmup', 0), concurrency: count('concurrency', 1), slices: count('slices', 1), only: only?.length ? only : undefined };
const llmTokens = options['llm-tokens']!.split(',').map(Number);
if (!llmTokens.every((tokens) => Number.isInteger(tokens) && tokens >= 1)) throw new Error(`--llm-tokens must be integers >= 1, got ${options['llm-tokens']}`);
const llmConfig: LlmBenchConfig = { runs: count('llm-runs', 1), warmup: LLM_WARMUP_ROUNDS, maxTokens: llmTokens };
const log = (line: string) => void process.stderr.write(line + '\n');

// Where the scheduler puts two processes that ping-pong decides their latency (one shared CPU
// or a cross-CPU wake-up per message), and it may change its mind between runs: pin them.
const pinnedCpus = options.cpus === 'all' ? undefined : options.cpus;
if (pinnedCpus !== undefined && spawnSync('taskset', ['-c', pinnedCpus, 'true']).status !== 0) {
  throw new Error(`--cpus ${pinnedCpus}: taskset is missing or the CPU list is invalid; use --cpus all to run unpinned`);
}

/** Runs `script` (run-once.ts or llm/llm-bench.ts) in a fresh node (with `nodeFlags`) and returns what it wrote. */
async function measureInChild<Result>(script: string, scriptArgs: string[], nodeFlags: string[] = []): Promise<Result> {
  const scratch = mkdtempSync(join(tmpdir(), 'cds-bench-run-'));
  const outFile = join(scratch, 'result.json');
  try {
    const nodeArgs = [...process.execArgv, ...nodeFlags, join(benchDir, script), ...scriptArgs, outFile];
    const [command, args] = pinnedCpus === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', pinnedCpus, process.execPath, ...nodeArgs]];
    const child = spawn(command, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    if (code !== 0) throw new Error(`${script} ${scriptArgs[0]} failed (code ${code}, signal ${signal})`);
    return JSON.parse(readFileSync(outFile, 'utf8')) as Result;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function machine() {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  };
  return {
    node: process.version,
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model,
    platform: `${platform()} ${release()}`,
    totalMemGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadavg: loadavg().map((value) => Math.round(value * 100) / 100),
    pinnedToCpus: pinnedCpus ?? 'all (unpinned)',
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: (git('status', '--porcelain') ?? '').length > 0,
    date: new Date().toISOString(),
  };
}

async function profile(dir: string): Promise<void> {
  const profileDir = resolve(dir);
  mkdirSync(profileDir, { recursive: true });
  await buildBench();
  log(`profiling ${(only?.length ? only : ['bus']).join(', ')} into ${profileDir}`);
  await measureInChild<CallRun>('run-once.ts', ['calls', JSON.stringify({ ...config, only: config.only ?? ['bus'], profileDir })], ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, 'kernel')}`]);
  const summaries: string[] = [];
  for (const processName of readdirSync(profileDir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name)) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread; the others are tsx's module-hooks worker.
    for (const file of readdirSync(join(profileDir, processName)).filter((name) => /\.\d+\.0\.\d+\.cpuprofile$/.test(name))) {
      summaries.push(`== ${processName}\n${formatProfileSummary(summarizeCpuProfile(join(profileDir, processName, file)))}`);
    }
  }
  const text = summaries.join('\n\n');
  writeFileSync(join(profileDir, 'summary.txt'), text + '\n');
  console.log(text);
}

async function benchmark(): Promise<void> {
  await buildBench();
  const runs = count('runs', 1);
  const meta = machine();
  log(`node ${meta.node}, ${meta.nproc} CPUs (${meta.cpu}), measuring on CPUs ${meta.pinnedToCpus}`);
  const callRuns: CallRun[] = [];
  let startup: StartupResult | undefined;
  let kill: KillSettleResult | undefined;
  if (measureCalls) {
    log(`calls: ${runs} run(s), n=${config.n} in ${config.slices} part(s) per loop, warm-up ${config.warmup}, ${config.concurrency} in flight`);
    for (let run = 1; run <= runs; run++) {
      log(`run ${run}/${runs}`);
      callRuns.push(await measureInChild<CallRun>('run-once.ts', ['calls', JSON.stringify(config)]));
    }
    if (!options['skip-startup']) {
      log('start-up and idle memory');
      startup = await measureInChild<StartupResult>('run-once.ts', ['startup', JSON.stringify({ rssSamples: count('rss-samples', 1), readySamples: count('ready-samples', 1) })]);
    }
    if (!options['skip-kill']) {
      log('kill -9 of a provider with calls in flight');
      kill = await measureInChild<KillSettleResult>('run-once.ts', ['kill', JSON.stringify({ rounds: count('kill-rounds', 1) })]);
    }
  }
  let llm: LlmRun | undefined;
  if (measureLlm) {
    log(`llm: ${llmConfig.runs} rounds per max_tokens (${llmConfig.maxTokens.join(', ')}) after ${llmConfig.warmup} warm-up rounds`);
    llm = await measureInChild<LlmRun>('llm/llm-bench.ts', [JSON.stringify(llmConfig)]);
  }
  const summary = {
    scenarios: summarizeScenarios(callRuns),
    ratios: summarizeRatios(callRuns),
    startup: startup && summarizeStartup(startup),
    kill: kill && summarizeKillSettle(kill),
  };
  const llmSummary = llm && summarizeLlm(llm);
  if (measureCalls) console.log('\n' + formatReport(summary.scenarios, summary.ratios, summary.startup, { runs, n: config.n, concurrency: config.concurrency, slices: config.slices, cpus: meta.pinnedToCpus }));
  if (summary.kill) console.log('\n' + formatKillSettle(summary.kill));
  if (llm && llmSummary) console.log('\n' + formatLlmReport(llm, llmSummary, meta.pinnedToCpus));
  const llmResult = llm && { config: llmConfig, summary: llmSummary, run: llm };
  writeFileSync(options.out!, JSON.stringify({ meta, config, summary, runs: callRuns, startup, kill, llm: llmResult }, null, 2) + '\n');
  log(`\nwrote ${options.out}`);
}

if (options.profile !== undefined) await profile(options.profile);
else await benchmark();
