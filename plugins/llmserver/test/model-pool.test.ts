import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { getLlama, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusError, ErrorCode, createPluginLogger } from '@cyberstudio/sdk';
import { resolveLlmConfig } from '../src/llm-config.ts';
import { ModelPool, type UsableRecord } from '../src/models/model-pool.ts';
import { ModelRegistry } from '../src/models/model-registry.ts';
import { generateTinyModel } from '../src/tiny-model/generate-tiny-model.ts';
import { useScratchDir } from './support/scratch-dir.ts';

const scratch = useScratchDir();
const log = createPluginLogger(() => {});

let llama: Llama;
let record: UsableRecord;

beforeAll(async () => {
  await mkdir(path.join(scratch.path, 'models'));
  await generateTinyModel(path.join(scratch.path, 'models', 'tiny.gguf'));
  [record] = (await new ModelRegistry(path.join(scratch.path, 'models')).scan()) as UsableRecord[];
  llama = await getLlama({ gpu: false, build: 'never' });
});

afterAll(async () => {
  await llama?.dispose();
});

function newPool(): ModelPool {
  const config = resolveLlmConfig({ threads: 1, modelsDir: path.join(scratch.path, 'models') }, scratch.path);
  return new ModelPool(async () => llama, () => config, log);
}

describe('ModelPool', () => {
  it('unloads its models on [Symbol.asyncDispose], safe to call twice, and refuses later acquires with ShuttingDown', async () => {
    const pool = newPool();
    await pool.acquire(record);
    expect(pool.loaded().map((model) => model.id)).toEqual([record.id]);

    await pool[Symbol.asyncDispose]();
    await pool[Symbol.asyncDispose]();
    const refused = await pool.acquire(record).then(() => undefined, (error: unknown) => error);

    expect(pool.loaded()).toEqual([]);
    expect(refused).toBeInstanceOf(BusError);
    expect((refused as BusError).code).toBe(ErrorCode.ShuttingDown);
  });

  it('stops waiting for a load when the signal aborts, with its reason, and the load still completes for others', async () => {
    await using pool = newPool();
    const controller = new AbortController();
    const reason = new Error('caller went away');

    const waiting = pool.acquire(record, { signal: controller.signal });
    controller.abort(reason);

    await expect(waiting).rejects.toBe(reason);
    expect((await pool.acquire(record)).id).toBe(record.id);
  });
});
