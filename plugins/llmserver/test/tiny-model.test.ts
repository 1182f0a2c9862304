import { execFile } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GgufValueType } from '../src/gguf/gguf-format.ts';
import { readGgufHeader } from '../src/gguf/gguf-reader.ts';
import { readGgufModelInfo } from '../src/gguf/gguf-model-info.ts';
import { TINY_MODEL_NAME, generateTinyModel } from '../src/tiny-model/generate-tiny-model.ts';
import { TINY_MODEL_SHAPE, tinyModelParameterCount } from '../src/tiny-model/tiny-weights.ts';
import { SPACE_MARKER, TokenType, buildTinyVocabulary } from '../src/tiny-model/tiny-vocabulary.ts';
import { useScratchDir } from './support/scratch-dir.ts';

const scratch = useScratchDir();
const script = fileURLToPath(new URL('../scripts/generate-tiny-model.ts', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

describe('generateTinyModel', () => {
  it('writes an all-F32 llama model our reader describes with the parameter count computed from its shape', async () => {
    const file = scratch.file('described.gguf');
    const result = await generateTinyModel(file);

    const info = await readGgufModelInfo(file);

    expect(info).toMatchObject({
      architecture: 'llama',
      name: TINY_MODEL_NAME,
      fileType: 0,
      quantization: 'F32',
      contextLength: TINY_MODEL_SHAPE.contextLength,
      embeddingLength: 64,
      blockCount: 2,
      vocabSize: result.vocabSize,
      hasChatTemplate: true,
      tensorCount: 3 + 2 * 9,
      tensorTypes: { F32: 21 },
      fileSize: result.bytes,
    });
    expect(info.parameterCount).toBe(tinyModelParameterCount(result.vocabSize));
    expect(result.parameterCount).toBe(info.parameterCount);
  });

  it('gives the same bytes for the same seed and different weights for another seed', async () => {
    await generateTinyModel(scratch.file('seed-a1.gguf'), { seed: 1 });
    await generateTinyModel(scratch.file('seed-a2.gguf'), { seed: 1 });
    await generateTinyModel(scratch.file('seed-b.gguf'), { seed: 2 });

    const [first, again, other] = await Promise.all(['seed-a1', 'seed-a2', 'seed-b'].map((name) => readFile(scratch.file(`${name}.gguf`))));

    expect(again.equals(first!)).toBe(true);
    expect(other!.equals(first!)).toBe(false);
    expect(other!.length).toBe(first!.length);
  });

  it('stores a unique SentencePiece vocabulary with byte, control and space-led word tokens', async () => {
    const file = scratch.file('vocabulary.gguf');
    await generateTinyModel(file);

    const { metadata } = await readGgufHeader(file);
    const tokens = metadata.get('tokenizer.ggml.tokens');
    const types = metadata.get('tokenizer.ggml.token_type');

    expect(tokens?.type === GgufValueType.Array && tokens.items).toEqual(buildTinyVocabulary().tokens);
    const items = tokens?.type === GgufValueType.Array ? (tokens.items as string[]) : [];
    expect(new Set(items).size).toBe(items.length);
    expect(items).toEqual(expect.arrayContaining(['<unk>', '<s>', '</s>', '<0x00>', '<0xFF>', SPACE_MARKER, '<|im_start|>', '<|im_end|>', `${SPACE_MARKER}hello`, `${SPACE_MARKER}hel`]));
    expect(types).toMatchObject({ itemType: GgufValueType.Int32 });
    const typeItems = types?.type === GgufValueType.Array ? types.items : [];
    expect(typeItems?.filter((type) => type === TokenType.Byte)).toHaveLength(256);
  });

  it('leaves only the finished file in its folder', async () => {
    await generateTinyModel(scratch.file('alone.gguf'));

    expect((await readdir(scratch.path)).filter((name) => name.includes('alone'))).toEqual(['alone.gguf']);
  });
});

describe('generate-tiny-model script', () => {
  it('writes the model and prints its path and size', async () => {
    const file = scratch.file('from-cli.gguf');

    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, file], { cwd: repositoryRoot });

    const { size } = await stat(file);
    expect(stdout.split('\n')[0]).toBe(file);
    expect(stdout).toContain(`${size} bytes`);
  });

  it('exits 2 with a usage line when the output path is missing', async () => {
    const failure = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: repositoryRoot }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: generate-tiny-model <out.gguf>') });
  });
});
