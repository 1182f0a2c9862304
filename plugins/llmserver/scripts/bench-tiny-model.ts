/**
 * Measures the tiny model in node-llama-cpp: load time and generation speed.
 * `node --import tsx plugins/llmserver/scripts/bench-tiny-model.ts [--threads 1] [--tokens 256] [--runs 5]`
 * Prints one line per measurement; the tokens/s figure is the median of the runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LlamaCompletion, getLlama } from 'node-llama-cpp';
import { generateTinyModel } from '../src/tiny-model/generate-tiny-model.ts';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '1' }, tokens: { type: 'string', default: '256' }, runs: { type: 'string', default: '5' } } });
const threads = Number(values.threads);
const maxTokens = Number(values.tokens);
const runs = Number(values.runs);

const folder = await mkdtemp(path.join(os.tmpdir(), 'cds-tiny-bench-'));
try {
  const file = path.join(folder, 'tiny.gguf');
  const { bytes } = await generateTinyModel(file);
  let started = performance.now();
  const llama = await getLlama({ gpu: false, build: 'never' });
  const llamaMs = performance.now() - started;
  started = performance.now();
  const model = await llama.loadModel({ modelPath: file });
  const loadMs = performance.now() - started;
  console.log(`model ${bytes} bytes; getLlama ${llamaMs.toFixed(0)} ms; loadModel ${loadMs.toFixed(1)} ms; threads ${threads}`);

  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const context = await model.createContext({ contextSize: 2048, threads });
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    let generated = 0;
    started = performance.now();
    await completion.generateCompletion('The quick brown fox', { maxTokens, temperature: 0, onToken: (tokens) => (generated += tokens.length) });
    const seconds = (performance.now() - started) / 1000;
    rates.push(generated / seconds);
    await context.dispose();
  }
  rates.sort((a, b) => a - b);
  console.log(`greedy completion, ${maxTokens} tokens x ${runs} runs: median ${rates[Math.floor(runs / 2)]!.toFixed(0)} tokens/s (min ${rates[0]!.toFixed(0)}, max ${rates.at(-1)!.toFixed(0)})`);
  await model.dispose();
  await llama.dispose();
} finally {
  await rm(folder, { recursive: true, force: true });
}
