import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelEntry } from '../src/llm-state.ts';
import { loadCpuLlama } from '../src/llm-plugin.ts';
import { generateTinyModel } from '../src/tiny-model/generate-tiny-model.ts';
import { startLlm, type LlmHarness } from './support/llm-harness.ts';

let llm: LlmHarness | undefined;

afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

const list = async (harness: LlmHarness) => (await harness.plugin.call<{ directory: string; models: ModelEntry[] }>('llm.models.list', {}));

describe('llmserver start', () => {
  it('generates the tiny model into an empty models folder and logs it', async () => {
    llm = await startLlm();

    expect(await readdir(llm.modelsDir)).toEqual(['tiny-llama.gguf']);
    await llm.plugin.flush();
    expect(llm.plugin.logs.some((record) => String(record.msg).includes('generated the tiny test model'))).toBe(true);
  });

  it('lists the tiny model with the information of its header, unloaded', async () => {
    llm = await startLlm();

    const { directory, models } = await list(llm);

    expect(directory).toBe(llm.modelsDir);
    expect(models).toEqual([
      {
        id: 'tiny-llama',
        kind: 'local',
        costPerToken: null,
        name: 'cyberstudio-tiny-llama',
        file: path.join(llm.modelsDir, 'tiny-llama.gguf'),
        sizeBytes: (await stat(path.join(llm.modelsDir, 'tiny-llama.gguf'))).size,
        architecture: 'llama',
        parameters: 143_552,
        quantization: 'F32',
        contextLength: 2048,
        state: 'unloaded',
      },
    ]);
  });

  it('leaves a models folder that holds a model alone', async () => {
    const prepare = async (dataDir: string) => {
      await mkdir(path.join(dataDir, 'models'));
      await generateTinyModel(path.join(dataDir, 'models', 'mine.gguf'));
    };
    llm = await startLlm({}, { prepare });

    expect((await list(llm)).models.map((model) => model.id)).toEqual(['mine']);
  });

  it('generates nothing when generateTinyModel is false', async () => {
    llm = await startLlm({ generateTinyModel: false });

    expect((await list(llm)).models).toEqual([]);
  });

  it('reads models from a configured modelsDir relative to the data directory', async () => {
    llm = await startLlm({ modelsDir: 'weights' });

    expect(await readdir(path.join(llm.dataDir, 'weights'))).toEqual(['tiny-llama.gguf']);
  });

  it('sees a model copied into the folder after the start on the next list', async () => {
    llm = await startLlm();
    await writeFile(path.join(llm.modelsDir, 'broken.gguf'), 'not a model');

    expect((await list(llm)).models.map((model) => [model.id, model.state])).toEqual([['broken', 'failed'], ['tiny-llama', 'unloaded']]);
  });

  it('starts without loading node-llama-cpp, and loads it with the first model', async () => {
    let loads = 0;
    llm = await startLlm({}, { loadLlama: async (log) => { loads += 1; return loadCpuLlama(log); } });

    expect((await list(llm)).models.map((model) => model.id)).toEqual(['tiny-llama']);
    expect(loads).toBe(0);
    await llm.plugin.call('llm.complete', { prompt: 'Hi', max_tokens: 2, seed: 1 });
    await llm.plugin.call('llm.complete', { prompt: 'Hi', max_tokens: 2, seed: 1 });
    expect(loads).toBe(1);
  });

  it('answers a generation with the reason when node-llama-cpp cannot load, and still lists its models', async () => {
    llm = await startLlm({}, { loadLlama: () => Promise.reject(new Error('no prebuilt binary for this platform')) });

    expect((await list(llm)).models.map((model) => model.id)).toEqual(['tiny-llama']);
    await expect(llm.plugin.call('llm.complete', { prompt: 'Hi', max_tokens: 2 })).rejects.toThrow(/node-llama-cpp could not load its CPU binary: no prebuilt binary for this platform/);
  });
});
