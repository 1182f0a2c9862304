// `npm run bench`: the CyberDevStudio call and start-up benchmark. See docs/performance.md.
// Each run is a fresh process (run-once.ts) that measures every call scenario back to back, so
// the ratios inside a run share the machine's load; then one process measures start-up and idle
// memory. Prints tables and writes tests/bench/results.json.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SCENARIOS, type CallRun, type CallRunConfig, type ScenarioName } from './lib/call-scenarios.ts';
import { formatProfileSummary, summarizeCpuProfile } from './lib/cpu-profile-summary.ts';
import { formatReport, summarizeRatios, summarizeScenarios, summarizeStartup } from './lib/report.ts';
import type { StartupResult } from './lib/startup-probes.ts';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(benchDir, '../..');

const help = `Usage: npm run bench -- [options]

  --runs <k>            measuring runs, each a fresh process running every scenario (default 3)
  --n <calls>           measured calls per loop, sequential and in flight (default 20000)
  --warmup <calls>      unmeasured calls before each loop (default 2000)
  --concurrency <c>     calls in flight in the pipelined loop (default 64)
  --only <a,b>          scenarios: ${Object.keys(SCENARIOS).join(', ')} (each ratio needs its baselines: raw; koa + kernel-sdk for rpc; ws-bare for ws)
  --ready-samples <k>   plugin start-ups per plugin for ready times (default 10)
  --rss-samples <k>     idle RSS samples of the kernel and of bare node (default 3)
  --skip-startup        no start-up / idle memory measures
  --cpus <list|all>     CPUs every measuring process and its children run on, via taskset
                        (default 0: one CPU, see docs/performance.md; all: no pinning)
  --out <file>          results file (default tests/bench/results.json)
  --profile <dir>       instead: one run of --only (default bus) with every node process under
                        --cpu-prof, profiles and their summaries in <dir>
  -h, --help`;

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    n: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    only: { type: 'string' },
    'ready-samples': { type: 'string', default: '10' },
    'rss-samples': { type: 'string', default: '3' },
    'skip-startup': { type: 'boolean', default: false },
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
const only = options.only?.split(',').map((name) => name.trim()) as ScenarioName[] | undefined;
const unknown = only?.filter((name) => !(name in SCENARIOS));
if (unknown?.length) throw new Error(`--only: unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
const config: CallRunConfig = { n: count('n', 1), warmup: count('warmup', 0), concurrency: count('concurrency', 1), only };
const log = (line: string) => void process.stderr.write(line + '\n');

// Where the scheduler puts two processes that ping-pong decides their latency (one shared CPU
// or a cross-CPU wake-up per message), and it may change its mind between runs: pin them.
const pinnedCpus = options.cpus === 'all' ? undefined : options.cpus;
if (pinnedCpus !== undefined && spawnSync('taskset', ['-c', pinnedCpus, 'true']).status !== 0) {
  throw new Error(`--cpus ${pinnedCpus}: taskset is missing or the CPU list is invalid; use --cpus all to run unpinned`);
}

/** Runs run-once.ts in a fresh node (with `nodeFlags`) and returns what it wrote. */
async function measureInChild<Result>(phase: 'calls' | 'startup', childConfig: object, nodeFlags: string[] = []): Promise<Result> {
  const scratch = mkdtempSync(join(tmpdir(), 'cds-bench-run-'));
  const outFile = join(scratch, 'result.json');
  try {
    const nodeArgs = [...process.execArgv, ...nodeFlags, join(benchDir, 'run-once.ts'), phase, JSON.stringify(childConfig), outFile];
    const [command, args] = pinnedCpus === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', pinnedCpus, process.execPath, ...nodeArgs]];
    const child = spawn(command, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    if (code !== 0) throw new Error(`run-once.ts ${phase} failed (code ${code}, signal ${signal})`);
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
  log(`profiling ${(only ?? ['bus']).join(', ')} into ${profileDir}`);
  await measureInChild<CallRun>('calls', { ...config, only: only ?? ['bus'], profileDir }, ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, 'kernel')}`]);
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
  const runs = count('runs', 1);
  const meta = machine();
  log(`node ${meta.node}, ${meta.nproc} CPUs (${meta.cpu}), measuring on CPUs ${meta.pinnedToCpus}, ${runs} run(s), n=${config.n}, warm-up ${config.warmup}, ${config.concurrency} in flight`);
  const callRuns: CallRun[] = [];
  for (let run = 1; run <= runs; run++) {
    log(`run ${run}/${runs}`);
    callRuns.push(await measureInChild<CallRun>('calls', config));
  }
  let startup: StartupResult | undefined;
  if (!options['skip-startup']) {
    log('start-up and idle memory');
    startup = await measureInChild<StartupResult>('startup', { rssSamples: count('rss-samples', 1), readySamples: count('ready-samples', 1) });
  }
  const summary = {
    scenarios: summarizeScenarios(callRuns),
    ratios: summarizeRatios(callRuns),
    startup: startup && summarizeStartup(startup),
  };
  console.log('\n' + formatReport(summary.scenarios, summary.ratios, summary.startup, { runs, n: config.n, concurrency: config.concurrency, cpus: meta.pinnedToCpus }));
  writeFileSync(options.out!, JSON.stringify({ meta, config, summary, runs: callRuns, startup }, null, 2) + '\n');
  log(`\nwrote ${options.out}`);
}

if (options.profile !== undefined) await profile(options.profile);
else await benchmark();
