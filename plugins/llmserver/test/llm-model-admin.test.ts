import { createHash } from 'node:crypto';
import { copyFile, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '@cyberstudio/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeleteResult } from '../src/capabilities/model-admin-capabilities.ts';
import type { HashProgress, ModelValidation } from '../src/download/model-validation.ts';
import { PartialDownload } from '../src/download/partial-download.ts';
import type { ModelEntry } from '../src/llm-state.ts';
import { FakeModelHost } from './support/fake-model-host.ts';
import { busErrorOf, eventually, startLlm, type LlmHarness } from './support/llm-harness.ts';

const TINY = 'tiny-llama';
const TINY_BYTES = 586_944;

let llm: LlmHarness | undefined;
let host: FakeModelHost | undefined;

afterEach(async () => {
  await llm?.close();
  await host?.close();
  llm = undefined;
  host = undefined;
});

const exists = (file: string) => stat(file).then(() => true, () => false);
const modelFile = (harness: LlmHarness, id: string) => path.join(harness.modelsDir, `${id}.gguf`);
const remove = (harness: LlmHarness, id: string) => harness.plugin.call<DeleteResult>('llm.models.delete', { id });
const validate = (harness: LlmHarness, params: Record<string, unknown>, onProgress?: (chunk: unknown) => void) =>
  harness.plugin.call<ModelValidation>('llm.models.validate', params, { onProgress });
const ids = async (harness: LlmHarness) => (await harness.plugin.call<{ models: ModelEntry[] }>('llm.models.list', {})).models.map((model) => model.id);

describe('llm.models.delete', () => {
  it('unloads a loaded idle model and removes its file', async () => {
    llm = await startLlm();
    await llm.plugin.call('llm.models.load', { id: TINY });
    const model = llm.state.pool.loaded()[0]!;

    const result = await remove(llm, TINY);

    expect(result).toEqual({ id: TINY, deleted: true, freedBytes: TINY_BYTES });
    expect(llm.state.pool.loaded()).toEqual([]);
    expect(model.model.disposed).toBe(true);
    expect(await exists(modelFile(llm, TINY))).toBe(false);
    expect(await ids(llm)).toEqual([]);
  });

  it('refuses with Overloaded while the model generates, and keeps it', async () => {
    llm = await startLlm();
    const generation = llm.plugin.call('llm.chat', { messages: [{ role: 'user', content: 'hi' }], max_tokens: 2000, temperature: 0 });
    await eventually(() => llm!.state.pool.loaded()[0]?.slots.active === 1, 'the generation to run');

    const error = await busErrorOf(remove(llm, TINY));
    await generation;

    expect(error.code).toBe(ErrorCode.Overloaded);
    expect(error.data).toMatchObject({ model: TINY, reason: 'model-busy', active: 1 });
    expect(await exists(modelFile(llm, TINY))).toBe(true);
    expect(llm.state.pool.stateOf(TINY).state).toBe('loaded');
  });

  it('answers -32007 for an id with no model', async () => {
    llm = await startLlm();

    const error = await busErrorOf(remove(llm, 'nothing-here'));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(error.data).toMatchObject({ model: 'nothing-here' });
  });

  it('refuses an id that would reach outside the models folder', async () => {
    llm = await startLlm();
    await writeFile(path.join(llm.dataDir, 'outside.gguf'), 'keep me');

    const error = await busErrorOf(remove(llm, '../outside'));

    expect(error.code).toBe(ErrorCode.CapabilityInvalidParams);
    expect(await readFile(path.join(llm.dataDir, 'outside.gguf'), 'utf8')).toBe('keep me');
  });

  it('stops a download of that id and removes its partial file', async () => {
    host = await FakeModelHost.start();
    llm = await startLlm({ huggingFaceEndpoint: host.url });
    host.plain('/files/doomed.gguf', { bytes: await readFile(modelFile(llm, TINY)), holdAfter: 100_000 });
    const download = llm.plugin.call('llm.models.download', { source: `${host.url}/files/doomed.gguf` });
    await eventually(() => llm!.state.downloads.get('doomed')?.downloadedBytes === 100_000, 'the download to start');

    const failure = busErrorOf(download);
    const result = await remove(llm, 'doomed');
    const error = await failure;

    expect(result).toEqual({ id: 'doomed', deleted: true, freedBytes: 100_000 });
    expect(error.code).toBe(ErrorCode.Cancelled);
    expect(error.data).toMatchObject({ reason: 'model-deleted' });
    expect(await exists(new PartialDownload(llm.modelsDir, 'doomed').partFile)).toBe(false);
    expect(await ids(llm)).toEqual([TINY]);
  });
});

describe('llm.models.validate', () => {
  it('finds a good model valid, with its header facts', async () => {
    llm = await startLlm();

    const result = await validate(llm, { id: TINY });

    expect(result).toMatchObject({ id: TINY, valid: true, problems: [] });
    expect(result.info).toMatchObject({ architecture: 'llama', parameters: 143_552, quantization: 'F32', fileBytes: TINY_BYTES });
    expect(result.info!.requiredBytes).toBeLessThanOrEqual(TINY_BYTES);
    expect(result.sha256).toBeUndefined();
  });

  it('finds a truncated file invalid, naming where its tensor data ends and how long it is', async () => {
    llm = await startLlm();
    await copyFile(modelFile(llm, TINY), modelFile(llm, 'cut'));
    await truncate(modelFile(llm, 'cut'), 400_000);

    const result = await validate(llm, { id: 'cut', load: true });

    expect(result.valid).toBe(false);
    expect(result.info).toBeNull();
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/truncated: tensor "[^"]+" ends at byte \d+, the file has 400000/);
    expect(result.load).toBe('skipped');
  });

  it('hashes the file with progress and test-loads it without leaving it loaded', async () => {
    llm = await startLlm();
    const chunks: HashProgress[] = [];

    const result = await validate(llm, { id: TINY, checksum: true, load: true }, (chunk) => chunks.push(chunk as HashProgress));

    expect(result).toMatchObject({ valid: true, load: 'passed' });
    expect(result.sha256).toBe(createHash('sha256').update(await readFile(modelFile(llm, TINY))).digest('hex'));
    expect(chunks.at(-1)).toEqual({ id: TINY, state: 'hashing', hashedBytes: TINY_BYTES, totalBytes: TINY_BYTES });
    expect(llm.state.pool.loaded()).toEqual([]);
  });

  it('does not load a model that is loaded already', async () => {
    llm = await startLlm();
    await llm.plugin.call('llm.models.load', { id: TINY });

    const result = await validate(llm, { id: TINY, load: true });

    expect(result).toMatchObject({ valid: true, load: 'already-loaded' });
  });

  it('reports a file that is not GGUF as invalid rather than failing', async () => {
    llm = await startLlm();
    await writeFile(modelFile(llm, 'notes'), 'these are not weights');

    const result = await validate(llm, { id: 'notes' });

    expect(result.valid).toBe(false);
    expect(result.problems[0]).toContain('not a GGUF file');
  });
});
