import { table } from '../lib/report.ts';
import { round, spread, type Spread } from '../lib/stats.ts';
import { LLM_SIDES, type LlmRun, type LlmSide, type MeasuredGeneration } from './llm-workload.ts';

/** The llm targets: gateway tokens/s at least 0.9 × in-process, time to first token at most 5 ms more. */
export const LLM_TARGETS = { minTokensPerSecRatio: 0.9, maxTtftOverheadMs: 5 } as const;

/** A per-round figure, its median [min–max] and the verdict of the median against its target. */
export interface LlmVerdict {
  perRound: number[];
  value: Spread;
  verdict: 'PASS' | 'MISS';
  roundsPassing: number;
}

/** What one `max_tokens` gave, across its rounds. */
export interface LlmSizeSummary {
  maxTokens: number;
  rounds: number;
  /** Median [min–max] tokens/s (completion tokens ÷ total time) of each side. */
  tokensPerSec: Record<LlmSide, Spread>;
  /** Time to the first text chunk; the non-streamed request has none. */
  ttftMs: Record<'inProcess' | 'gateway', Spread>;
  /** gateway ÷ in-process tokens/s, within each round. */
  tokensPerSecRatio: LlmVerdict;
  /** gateway − in-process time to first token (ms), within each round. */
  ttftOverheadMs: LlmVerdict;
  /** CPU µs per completion token of every process, over all rounds (total CPU ÷ total tokens). */
  cpuUsPerToken: Record<LlmSide, Record<string, number>>;
}

/** Summarizes every `max_tokens` of `run`. */
export function summarizeLlm(run: LlmRun): LlmSizeSummary[] {
  return run.sizes.map((size) => {
    const rate = (generation: MeasuredGeneration) => generation.completionTokens / (generation.totalMs / 1000);
    const perRound = (pick: (round: number) => number) => size.inProcess.map((_, round) => round3(pick(round)));
    const rates = (side: LlmSide) => spread(size[side].map(rate))!;
    return {
      maxTokens: size.maxTokens,
      rounds: size.inProcess.length,
      tokensPerSec: { inProcess: rates('inProcess'), gateway: rates('gateway'), gatewayWhole: rates('gatewayWhole') },
      ttftMs: { inProcess: spread(size.inProcess.map((generation) => generation.ttftMs ?? undefined))!, gateway: spread(size.gateway.map((generation) => generation.ttftMs ?? undefined))! },
      tokensPerSecRatio: verdict(perRound((round) => rate(size.gateway[round]!) / rate(size.inProcess[round]!)), (ratio) => ratio >= LLM_TARGETS.minTokensPerSecRatio),
      ttftOverheadMs: verdict(
        perRound((round) => (size.gateway[round]!.ttftMs ?? Number.NaN) - (size.inProcess[round]!.ttftMs ?? Number.NaN)),
        (overhead) => overhead <= LLM_TARGETS.maxTtftOverheadMs,
      ),
      cpuUsPerToken: { inProcess: cpuPerToken(size.inProcess), gateway: cpuPerToken(size.gateway), gatewayWhole: cpuPerToken(size.gatewayWhole) },
    };
  });
}

function verdict(perRound: number[], meets: (value: number) => boolean): LlmVerdict {
  const value = spread(perRound)!;
  return { perRound, value, verdict: meets(value.median) ? 'PASS' : 'MISS', roundsPassing: perRound.filter(meets).length };
}

function cpuPerToken(generations: MeasuredGeneration[]): Record<string, number> {
  const tokens = generations.reduce((sum, generation) => sum + generation.completionTokens, 0);
  const totals: Record<string, number> = {};
  for (const generation of generations) for (const [name, us] of Object.entries(generation.cpuUs)) totals[name] = (totals[name] ?? 0) + us;
  return Object.fromEntries(Object.entries(totals).map(([name, us]) => [name, round(us / tokens)]));
}

const round3 = (value: number) => round(value, 3);

/** The llm tables printed by `npm run bench`: the targets, then where the CPU goes per token. */
export function formatLlmReport(run: LlmRun, sizes: LlmSizeSummary[], cpus: string): string {
  const { workload } = run;
  const { minTokensPerSecRatio, maxTtftOverheadMs } = LLM_TARGETS;
  const rounds = sizes[0]?.rounds ?? 0;
  const lines = [
    `LLM: ${LLM_SIDES.gateway} (a cyberstudio start child, llmserver alone) against ${LLM_SIDES.inProcess};`,
    `tiny model (${workload.bytes.toLocaleString('en-US')} bytes), threads ${workload.settings.threads}, context ${workload.settings.contextSize}, greedy,` +
      ` prompt ${JSON.stringify(workload.prompt)}; ${rounds} interleaved rounds per max_tokens, medians [min–max] of per-round figures; CPUs ${cpus}.`,
    '',
  ];
  const judged = (value: LlmVerdict, digits: number) =>
    `${value.value.median.toFixed(digits)} [${value.value.min.toFixed(digits)}–${value.value.max.toFixed(digits)}] ${value.verdict} (${value.roundsPassing}/${value.perRound.length})`;
  lines.push(table(
    ['max_tokens', 'in-process tok/s', 'gateway tok/s', `ratio (≥ ${minTokensPerSecRatio})`, 'TTFT in-process ms', 'TTFT gateway ms', `TTFT overhead ms (≤ ${maxTtftOverheadMs})`],
    sizes.map((size) => [
      String(size.maxTokens), whole(size.tokensPerSec.inProcess), whole(size.tokensPerSec.gateway), judged(size.tokensPerSecRatio, 2),
      size.ttftMs.inProcess.median.toFixed(2), size.ttftMs.gateway.median.toFixed(2), judged(size.ttftOverheadMs, 2),
    ]),
  ));
  const cpu = (byProcess: Record<string, number>) => {
    const total = Object.values(byProcess).reduce((sum, us) => sum + us, 0);
    const parts = Object.entries(byProcess).map(([name, us]) => `${name} ${us.toFixed(0)}`);
    return parts.length === 1 ? parts[0]! : `${parts.join(' + ')} = ${total.toFixed(0)}`;
  };
  lines.push('', 'Context: the same request with stream: false, and CPU µs per completion token by process (totals over the rounds):', '');
  lines.push(table(
    ['max_tokens', 'stream: false tok/s', 'CPU/token in-process', 'CPU/token gateway, stream: true', 'CPU/token gateway, stream: false'],
    sizes.map((size) => [String(size.maxTokens), whole(size.tokensPerSec.gatewayWhole), cpu(size.cpuUsPerToken.inProcess), cpu(size.cpuUsPerToken.gateway), cpu(size.cpuUsPerToken.gatewayWhole)]),
  ));
  lines.push('', 'harness: this process (the baseline, or the HTTP client); stream: true − stream: false is what streaming costs per token (llmserver sends a chunk at most every streamBatchMs, 20 ms by default).');
  if (run.mismatches.length > 0) lines.push('', `WARNING: ${run.mismatches.length} generation(s) differed from the baseline's text or token count: ${run.mismatches[0]}`);
  return lines.join('\n');
}

const whole = (value: Spread) => Math.round(value.median).toLocaleString('en-US');
