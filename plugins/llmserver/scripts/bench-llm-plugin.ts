/**
 * Measures the llmserver plugin in-process (connectPlugin, the real handshake and protocol) on the
 * tiny model it generates: start, load, streamed chat and completion speed, parallel sequences,
 * embeddings and listing. `node --import tsx plugins/llmserver/scripts/bench-llm-plugin.ts [--runs 7]`
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connectPlugin } from '@cyberstudio/sdk/testing';
import type { GenerationResult } from '../src/capabilities/generation-meter.ts';
import { createLlmPlugin } from '../src/llm-plugin.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cds-llm-bench-'));
try {
  let started = performance.now();
  const plugin = await connectPlugin(createLlmPlugin().plugin, { config: { threads: 1 }, dataDir });
  console.log(`start (getLlama, tiny model written): ${(performance.now() - started).toFixed(0)} ms`);
  started = performance.now();
  await plugin.call('llm.models.load', { id: 'tiny-llama' });
  console.log(`llm.models.load: ${(performance.now() - started).toFixed(0)} ms`);

  const measure = async (label: string, capability: string, params: Record<string, unknown>) => {
    const rates: number[] = [];
    const firstTokens: number[] = [];
    for (let run = 0; run < runs; run++) {
      const begin = performance.now();
      const result = await plugin.call<GenerationResult>(capability, params, { onProgress: () => undefined });
      rates.push(result.usage.completionTokens / ((performance.now() - begin) / 1000));
      firstTokens.push(result.timings.timeToFirstTokenMs ?? Number.NaN);
    }
    console.log(`${label}: median ${median(rates).toFixed(0)} tokens/s end to end, first token ${median(firstTokens).toFixed(1)} ms (${runs} runs)`);
  };
  const messages = [{ role: 'user', content: 'Hello there' }];
  await measure('llm.chat, 64 tokens greedy, streamed', 'llm.chat', { messages, max_tokens: 64, temperature: 0 });
  await measure('llm.chat, 256 tokens sampled, streamed', 'llm.chat', { messages, max_tokens: 256, seed: 1 });
  await measure('llm.complete, 256 tokens greedy, streamed', 'llm.complete', { prompt: 'The quick brown fox', max_tokens: 256, temperature: 0 });

  started = performance.now();
  const parallel = await Promise.all([1, 2].map((seed) => plugin.call<GenerationResult>('llm.chat', { messages, max_tokens: 256, seed })));
  const seconds = (performance.now() - started) / 1000;
  console.log(`2 chats at once (2 sequences), 256 tokens each: ${(parallel.reduce((sum, result) => sum + result.usage.completionTokens, 0) / seconds).toFixed(0)} tokens/s together`);

  started = performance.now();
  for (let call = 0; call < 50; call++) await plugin.call('llm.embed', { input: 'hello world' });
  console.log(`llm.embed, one short text: ${((performance.now() - started) / 50).toFixed(2)} ms per call`);
  started = performance.now();
  for (let call = 0; call < 200; call++) await plugin.call('llm.models.list', {});
  console.log(`llm.models.list, unchanged folder: ${((performance.now() - started) / 200).toFixed(2)} ms per call`);
  await plugin.shutdown();
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
