// The llm benchmark, one measuring process, started by tests/bench/run-bench.ts (or by hand):
//   node --import tsx tests/bench/llm/llm-bench.ts '<config JSON>' <out.json>
// Writes the LlmRun of runLlmComparison (llm-comparison.ts) to <out.json>; progress goes to stderr.
// See docs/performance.md.
import { writeFileSync } from 'node:fs';
import { runLlmComparison } from './llm-comparison.ts';
import type { LlmBenchConfig } from './llm-workload.ts';

const log = (line: string) => void process.stderr.write(line + '\n');
const [configJson, outFile] = process.argv.slice(2);
if (configJson === undefined || outFile === undefined) {
  log(`usage: llm-bench.ts '{"runs":20,"warmup":3,"maxTokens":[128,256]}' <out.json> (started by tests/bench/run-bench.ts)`);
  process.exit(2);
}
writeFileSync(outFile, JSON.stringify(await runLlmComparison(JSON.parse(configJson) as LlmBenchConfig, log)));
