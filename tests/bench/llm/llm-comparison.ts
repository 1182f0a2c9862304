import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTinyModel } from '../../../plugins/llmserver/src/tiny-model/generate-tiny-model.ts';
import { spread } from '../lib/stats.ts';
import { openChatCompletionsClient } from './chat-completions-client.ts';
import { openInProcessChat } from './in-process-chat.ts';
import { startKernelChild } from './kernel-child.ts';
import { LLM_SETTINGS, MODEL_ID, PROMPT, SAMPLING, type GenerationSample, type LlmBenchConfig, type LlmRun, type LlmSide } from './llm-workload.ts';
import { withProcessCpu, type ProcessIds } from './process-cpu.ts';

/** One way of making a generation, and the processes whose CPU it spends. */
interface Side {
  generate(maxTokens: number): Promise<GenerationSample>;
  processes: ProcessIds;
}

/**
 * Writes the tiny model into a temporary models folder, opens the in-process baseline on it and a
 * `cyberstudio start` child serving it, warms both up, then measures `config.runs` rounds per
 * `max_tokens`: each round makes one generation per side, the sides in rotating order.
 */
export async function runLlmComparison(config: LlmBenchConfig, log: (line: string) => void): Promise<LlmRun> {
  const cleanups: Array<() => unknown> = [];
  try {
    const dir = await mkdtemp(join(tmpdir(), 'cds-bench-llm-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const modelsDir = join(dir, 'models');
    await mkdir(modelsDir);
    const tiny = await generateTinyModel(join(modelsDir, `${MODEL_ID}.gguf`));
    const baseline = await openInProcessChat(tiny.file);
    cleanups.push(() => baseline.close());
    const kernel = await startKernelChild(dir, modelsDir);
    cleanups.push(() => kernel.close());
    const client = openChatCompletionsClient(kernel.url);
    cleanups.push(() => client.close());

    const gatewayProcesses: ProcessIds = { harness: process.pid, kernel: kernel.kernelPid, llmserver: kernel.pluginPid };
    const sides: Record<LlmSide, Side> = {
      inProcess: { generate: (maxTokens) => baseline.generate(maxTokens), processes: { harness: process.pid } },
      gateway: { generate: (maxTokens) => client.stream(maxTokens), processes: gatewayProcesses },
      gatewayWhole: { generate: (maxTokens) => client.whole(maxTokens), processes: gatewayProcesses },
    };
    const run: LlmRun = {
      startedAt: new Date().toISOString(),
      loadavgStart: loadavgNow(),
      loadavgEnd: [],
      workload: { model: MODEL_ID, bytes: tiny.bytes, prompt: PROMPT, settings: LLM_SETTINGS, sampling: SAMPLING },
      sizes: [],
      mismatches: [],
    };
    // The first request loads the model in llmserver; the warm-up also brings every side's code paths to steady state.
    for (let round = 0; round < config.warmup; round++) {
      for (const maxTokens of config.maxTokens) for (const side of Object.values(sides)) await side.generate(maxTokens);
    }
    for (const maxTokens of config.maxTokens) run.sizes.push(await measureSize(sides, maxTokens, config.runs, run.mismatches, log));
    for (const mismatch of run.mismatches) log(`  MISMATCH ${mismatch}`);
    run.loadavgEnd = loadavgNow();
    return run;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/** `rounds` rounds at `maxTokens`; every side's text and token count must equal the baseline's, else a mismatch is noted. */
async function measureSize(sides: Record<LlmSide, Side>, maxTokens: number, rounds: number, mismatches: string[], log: (line: string) => void) {
  const order = Object.keys(sides) as LlmSide[];
  const size: LlmRun['sizes'][number] = { maxTokens, inProcess: [], gateway: [], gatewayWhole: [] };
  for (let round = 0; round < rounds; round++) {
    // Each side goes first equally often, so drift and any after-effect of the previous generation hit all alike.
    const rotated = order.map((_, index) => order[(index + round) % order.length]!);
    const samples = {} as Record<LlmSide, GenerationSample>;
    for (const side of rotated) {
      const [sample, cpuUs] = await withProcessCpu(sides[side].processes, () => sides[side].generate(maxTokens));
      const { text: _text, ...figures } = sample;
      size[side].push({ ...figures, cpuUs });
      samples[side] = sample;
    }
    const reference = samples.inProcess;
    for (const side of ['gateway', 'gatewayWhole'] as const) {
      const { text, completionTokens } = samples[side];
      if (text === reference.text && completionTokens === reference.completionTokens) continue;
      mismatches.push(`max_tokens ${maxTokens} round ${round}: ${side} gave ${completionTokens} tokens / ${text.length} chars, in-process ${reference.completionTokens} / ${reference.text.length}`);
    }
  }
  const median = (side: LlmSide) => Math.round(spread(size[side].map((generation) => generation.completionTokens / (generation.totalMs / 1000)))!.median);
  log(`  max_tokens ${maxTokens}: in-process ${median('inProcess')} tok/s, gateway ${median('gateway')} tok/s (stream: false ${median('gatewayWhole')} tok/s), ${rounds} rounds`);
  return size;
}

const loadavgNow = () => loadavg().map((value) => Math.round(value * 100) / 100);
