import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '@cyberstudio/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTinyModel } from '../src/tiny-model/generate-tiny-model.ts';
import { busErrorOf, startLlm, type LlmHarness } from './support/llm-harness.ts';

/** A tiny model whose header names an architecture llama.cpp does not know: it passes our header checks and fails to load. */
async function unloadableModel(file: string): Promise<void> {
  await generateTinyModel(file);
  const bytes = await readFile(file);
  const key = Buffer.from('general.architecture');
  // After the key: the value type (u32) and the string's length (u64), then "llama".
  const value = bytes.indexOf(key) + key.length + 12;
  bytes.write('llamx', value, 'latin1');
  await writeFile(file, bytes);
}

const messages = [{ role: 'user', content: 'hi' }];
let llm: LlmHarness;

beforeAll(async () => {
  llm = await startLlm({}, {
    prepare: async (dataDir) => {
      await mkdir(path.join(dataDir, 'models'), { recursive: true });
      await generateTinyModel(path.join(dataDir, 'models', 'good.gguf'));
      await unloadableModel(path.join(dataDir, 'models', 'broken.gguf'));
    },
  });
});
afterAll(() => llm?.close());

describe('a model that fails to load', () => {
  it('fails the call with InternalError naming the model and the load failure', async () => {
    const error = await busErrorOf(llm.plugin.call('llm.chat', { model: 'broken', messages, max_tokens: 4 }));

    expect(error.code).toBe(ErrorCode.InternalError);
    expect(error.message).toMatch(/model 'broken' failed to load/);
  });

  it('answers HTTP 500 model_crashed in OpenAI error shape on the OpenAI route', async () => {
    const answer = await llm.plugin.call('llm.openai.chat', { method: 'POST', path: '/v1/chat/completions', params: {}, query: {}, headers: {}, body: { model: 'broken', messages } });

    expect(answer).toMatchObject({ _http: { status: 500 }, body: { error: { type: 'server_error', code: 'model_crashed', message: expect.stringMatching(/^The model crashed: model 'broken' failed to load/) } } });
  });

  it('is listed as failed with the reason, while the other model keeps serving', async () => {
    await llm.plugin.call('llm.chat', { model: 'broken', messages }).catch(() => undefined);

    const { models } = await llm.plugin.call<{ models: { id: string; state: string; error?: string }[] }>('llm.models.list', {});
    const answer = await llm.plugin.call<{ usage: { completionTokens: number } }>('llm.chat', { model: 'good', messages, max_tokens: 4 });

    expect(models.find((model) => model.id === 'broken')).toMatchObject({ state: 'failed', error: expect.stringMatching(/load/) });
    expect(answer.usage.completionTokens).toBe(4);
  });
});
