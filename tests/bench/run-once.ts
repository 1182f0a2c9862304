// One measuring process, started by run-bench.ts so every run begins in a fresh node:
//   node --import tsx tests/bench/run-once.ts calls|startup|kill '<config JSON>' <out.json>
// Writes what it measured as JSON to <out.json>; progress goes to stderr.
import { writeFileSync } from 'node:fs';
import { runCallScenarios, type CallRunConfig } from './lib/call-scenarios.ts';
import { probeKillSettle } from './lib/kill-settle-probe.ts';
import { probeStartup } from './lib/startup-probes.ts';

const [phase, configJson, outFile] = process.argv.slice(2);
const log = (line: string) => void process.stderr.write(line + '\n');

if (outFile === undefined || (phase !== 'calls' && phase !== 'startup' && phase !== 'kill')) {
  log('usage: run-once.ts calls|startup|kill <config JSON> <out.json> (started by tests/bench/run-bench.ts)');
  process.exit(2);
}
const config = JSON.parse(configJson!) as CallRunConfig & { rssSamples: number; readySamples: number; rounds: number };
const result = phase === 'calls' ? await runCallScenarios(config, log) : phase === 'startup' ? await probeStartup(config, log) : await probeKillSettle(config.rounds, log);
writeFileSync(outFile, JSON.stringify(result));
