import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultThreads, resolveLlmConfig } from '../src/llm-config.ts';

describe('llmserver config defaults', () => {
  it.each([[1, 1], [2, 1], [4, 2], [16, 8]])('chooses %i CPUs -> %i threads when the config names none', (cpus, threads) => {
    expect(defaultThreads(cpus)).toBe(threads);
  });

  it("fills in this machine's thread count, and keeps an explicit one", () => {
    expect(resolveLlmConfig({}, '/data').threads).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
    expect(resolveLlmConfig({ threads: 3 }, '/data').threads).toBe(3);
  });

  it('resolves the models folder against the data directory and meters by default', () => {
    expect(resolveLlmConfig({}, '/data')).toMatchObject({ modelsDir: '/data/models', metering: 'auto', remote: {}, costCurrency: 'USD' });
  });
});
