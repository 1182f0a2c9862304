import { writeFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { readGgufModelInfo } from '../src/gguf/gguf-model-info.ts';
import { MAX_MODEL_PARAMETERS, ModelRegistry, modelRefusal } from '../src/models/model-registry.ts';
import { generateTinyModel } from '../src/tiny-model/generate-tiny-model.ts';
import { useScratchDir } from './support/scratch-dir.ts';

vi.mock('../src/gguf/gguf-model-info.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/gguf/gguf-model-info.ts')>();
  return { ...actual, readGgufModelInfo: vi.fn(actual.readGgufModelInfo) };
});

const scratch = useScratchDir();

describe('modelRefusal', () => {
  it('accepts a 3B-class model', () => {
    expect(modelRefusal({ parameterCount: 3_212_749_824 })).toBeUndefined();
  });

  it('refuses a model over the limit, saying how large it is', () => {
    expect(modelRefusal({ parameterCount: MAX_MODEL_PARAMETERS + 1 })).toMatch(/^the model has 3\.50 billion parameters, over the limit of 3\.50 billion/);
    expect(modelRefusal({ parameterCount: 7_241_732_096 })).toMatch(/7\.24 billion parameters/);
  });
});

describe('ModelRegistry', () => {
  it('reads each unchanged file once and re-reads a file that changed', async () => {
    const registry = new ModelRegistry(scratch.path);
    await generateTinyModel(scratch.file('a.gguf'));
    await writeFile(scratch.file('notes.txt'), 'not a model');
    const reads = vi.mocked(readGgufModelInfo);
    reads.mockClear();

    await registry.scan();
    await registry.scan();
    await writeFile(scratch.file('a.gguf'), 'GGUF');
    const [changed] = await registry.scan();

    expect(reads).toHaveBeenCalledTimes(2);
    expect(changed).toMatchObject({ id: 'a', info: undefined });
    expect(changed!.error).toMatch(/a\.gguf: the file is truncated/);
  });

  it('holds no models when the folder does not exist', async () => {
    expect(await new ModelRegistry(scratch.file('missing')).scan()).toEqual([]);
  });
});
