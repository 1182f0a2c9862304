import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '@cyberstudio/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type { LlmStatus } from '../src/capabilities/model-capabilities.ts';
import type { ModelEntry } from '../src/llm-state.ts';
import { generateTinyModel } from '../src/tiny-model/generate-tiny-model.ts';
import { busErrorOf, eventually, startLlm, type LlmHarness } from './support/llm-harness.ts';
import { writeOversizedModel } from './support/oversized-model.ts';

let llm: LlmHarness | undefined;

afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

const get = (harness: LlmHarness, id: string) => harness.plugin.call<ModelEntry>('llm.models.get', { id });
const status = (harness: LlmHarness) => harness.plugin.call<LlmStatus>('llm.status', {});
const chat = (harness: LlmHarness, params: Record<string, unknown> = {}) =>
  harness.plugin.call<{ model: string; usage: { completionTokens: number } }>('llm.chat', { messages: [{ role: 'user', content: 'hi' }], max_tokens: 4, ...params });

describe('llm.models.load and unload', () => {
  it('moves a model from unloaded to loaded and back, freeing it', async () => {
    llm = await startLlm();
    expect((await get(llm, 'tiny-llama')).state).toBe('unloaded');

    const loaded = await llm.plugin.call<ModelEntry>('llm.models.load', { id: 'tiny-llama' });
    const model = llm.state.pool.loaded()[0]!;
    const unloaded = await llm.plugin.call('llm.models.unload', { id: 'tiny-llama' });

    expect(loaded.state).toBe('loaded');
    expect(loaded.ramBytes).toBeGreaterThan(loaded.sizeBytes);
    expect(unloaded).toEqual({ id: 'tiny-llama', unloaded: true });
    expect((await get(llm, 'tiny-llama')).state).toBe('unloaded');
    expect(model.model.disposed).toBe(true);
    expect(model.context.disposed).toBe(true);
  });

  it('answers unloaded false for a model that was not loaded', async () => {
    llm = await startLlm();

    expect(await llm.plugin.call('llm.models.unload', { id: 'tiny-llama' })).toEqual({ id: 'tiny-llama', unloaded: false });
  });

  it('loads a model on its first use and shows it in llm.status', async () => {
    llm = await startLlm({ sequences: 3, contextSize: 1024 });

    await chat(llm);
    const { models, ramBudgetBytes, ramUsedBytes, threads } = await status(llm);

    expect(models).toEqual([
      expect.objectContaining({ id: 'tiny-llama', state: 'loaded', contexts: 1, contextSize: 1024, sequences: 3, threads: 1, active: 0, queued: 0 }),
    ]);
    expect(ramUsedBytes).toBe(models[0]!.ramBytes);
    expect(ramBudgetBytes).toBe(2048 * 1_048_576);
    expect(threads).toBe(1);
  });

  it('disposes loaded models when the plugin shuts down', async () => {
    llm = await startLlm();
    await chat(llm);
    const model = llm.state.pool.loaded()[0]!;

    await llm.close();

    expect(model.model.disposed).toBe(true);
  });

  it('unloads a model left idle for idleUnloadSeconds', async () => {
    llm = await startLlm({ idleUnloadSeconds: 0.05 });
    await chat(llm);

    await eventually(async () => (await get(llm!, 'tiny-llama')).state === 'unloaded', 'the idle model to unload');
  });

  it('unloads the least recently used idle model when loading another would pass the RAM budget', async () => {
    // Each tiny model with this context is estimated at ~1.75 MiB: two fit, three do not.
    llm = await startLlm({ contextSize: 256, ramBudgetMb: 4 });
    await generateTinyModel(path.join(llm.modelsDir, 'second.gguf'), { seed: 2 });
    await generateTinyModel(path.join(llm.modelsDir, 'third.gguf'), { seed: 3 });

    await llm.plugin.call('llm.models.load', { id: 'tiny-llama' });
    await llm.plugin.call('llm.models.load', { id: 'second' });
    await chat(llm, { model: 'tiny-llama' });
    await llm.plugin.call('llm.models.load', { id: 'third' });

    const { models } = await status(llm);
    expect(models.map((model) => model.id).sort()).toEqual(['third', 'tiny-llama']);
  });

  it('refuses a model larger than the whole RAM budget with Overloaded', async () => {
    llm = await startLlm({ ramBudgetMb: 0.5 });

    const error = await busErrorOf(llm.plugin.call('llm.models.load', { id: 'tiny-llama' }));

    expect(error.code).toBe(ErrorCode.Overloaded);
    expect(error.message).toMatch(/more than the whole RAM budget of 0.5 MiB/);
    expect(error.data).toMatchObject({ reason: 'ram-budget', ramBudgetBytes: 524_288 });
  });
});

describe('models that cannot be used', () => {
  it('lists a corrupt file as failed with the reader message and refuses to load it', async () => {
    llm = await startLlm();
    await writeFile(path.join(llm.modelsDir, 'corrupt.gguf'), Buffer.from('PK\u0003\u0004 a zip file, not a model'));

    const entry = await get(llm, 'corrupt');
    const error = await busErrorOf(llm.plugin.call('llm.models.load', { id: 'corrupt' }));

    expect(entry).toMatchObject({ id: 'corrupt', state: 'failed', parameters: null });
    expect(entry.error).toMatch(/corrupt\.gguf: not a GGUF file/);
    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.message).toContain("names model 'corrupt', which cannot be used");
  });

  it('lists a model over 3.5 billion parameters as failed and refuses it', async () => {
    llm = await startLlm();
    await writeOversizedModel(path.join(llm.modelsDir, 'huge.gguf'), 64_000, 62_500);

    const entry = await get(llm, 'huge');
    const error = await busErrorOf(chat(llm, { model: 'huge' }));

    expect(entry).toMatchObject({ state: 'failed', parameters: 4_000_000_000 });
    expect(entry.error).toBe('the model has 4.00 billion parameters, over the limit of 3.50 billion this CPU-only server runs');
    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
  });

  it('refuses an unknown id with -32007', async () => {
    llm = await startLlm();

    const error = await busErrorOf(get(llm, 'missing'));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.data).toMatchObject({ model: 'missing' });
  });
});

describe('the default model', () => {
  it('is the first usable model by id, or the only loaded one', async () => {
    llm = await startLlm();
    await writeFile(path.join(llm.modelsDir, 'a-broken.gguf'), 'nothing');
    await generateTinyModel(path.join(llm.modelsDir, 'b-model.gguf'), { seed: 2 });
    await llm.plugin.call('llm.models.list', {});

    const first = await chat(llm);
    await llm.plugin.call('llm.models.unload', { id: 'b-model' });
    await llm.plugin.call('llm.models.load', { id: 'tiny-llama' });
    const onlyLoaded = await chat(llm);

    expect(first.model).toBe('b-model');
    expect(onlyLoaded.model).toBe('tiny-llama');
  });
});

describe('per-model settings', () => {
  it('loads a model with its own contextSize', async () => {
    llm = await startLlm({ models: { 'tiny-llama': { contextSize: 512 } } });

    await llm.plugin.call('llm.models.load', { id: 'tiny-llama' });

    expect((await status(llm)).models[0]).toMatchObject({ contextSize: 512 });
  });

  it('caps max_tokens at the model maxTokens and uses it as the default', async () => {
    llm = await startLlm({ models: { 'tiny-llama': { maxTokens: 6, temperature: 0 } } });

    const byDefault = await chat(llm, { max_tokens: undefined });
    const error = await busErrorOf(chat(llm, { max_tokens: 7 }));

    expect(byDefault.usage.completionTokens).toBe(6);
    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.message).toContain("/max_tokens is 7, over this model's limit of 6 tokens");
  });
});
