import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { GgmlType, type GgufMetadataValue } from '../src/gguf/gguf-format.ts';
import { readGgufModelInfo } from '../src/gguf/gguf-model-info.ts';
import { ggufValue } from '../src/gguf/gguf-value.ts';
import { encodeGguf, writeGgufFile } from '../src/gguf/gguf-writer.ts';
import { useScratchDir } from './support/scratch-dir.ts';

const scratch = useScratchDir();

const matrix = { name: 'blk.0.ffn_up.weight', dimensions: [256, 4], data: new Float32Array(1024) };
const norm = { name: 'blk.0.ffn_norm.weight', dimensions: [256], data: new Float32Array(256) };

const qwenMetadata: [string, GgufMetadataValue][] = [
  ['general.architecture', ggufValue.string('qwen2')],
  ['general.name', ggufValue.string('Qwen Test')],
  ['qwen2.context_length', ggufValue.uint32(32_768)],
  ['qwen2.embedding_length', ggufValue.uint32(256)],
  ['qwen2.block_count', ggufValue.uint32(1)],
  ['tokenizer.ggml.tokens', ggufValue.stringArray(['a', 'b', 'c', 'd', 'e'])],
];

describe('readGgufModelInfo', () => {
  it('reports architecture, name, sizes, vocabulary and parameter count', async () => {
    const file = scratch.file('qwen.gguf');
    await writeGgufFile(file, { metadata: qwenMetadata, tensors: [matrix, norm] });

    const info = await readGgufModelInfo(file);

    expect(info).toMatchObject({
      architecture: 'qwen2',
      name: 'Qwen Test',
      contextLength: 32_768,
      embeddingLength: 256,
      blockCount: 1,
      vocabSize: 5,
      parameterCount: 1024 + 256,
      hasChatTemplate: false,
      tensorCount: 2,
      tensorTypes: { F32: 2 },
    });
  });

  it('names the quantization from general.file_type', async () => {
    const file = scratch.file('q4km.gguf');
    await writeGgufFile(file, { metadata: [...qwenMetadata, ['general.file_type', ggufValue.uint32(15)]], tensors: [matrix, norm] });

    expect(await readGgufModelInfo(file)).toMatchObject({ fileType: 15, quantization: 'Q4_K_M' });
  });

  it('names the quantization after the type holding most matrix elements when general.file_type is absent', async () => {
    const bytes = encodeGguf({ metadata: qwenMetadata, tensors: [matrix, norm] });
    // Retag the matrix as Q4_K: its 1024 elements then need 576 bytes, which the F32 data covers.
    const typeOffset = bytes.indexOf(Buffer.from(matrix.name)) + matrix.name.length + 4 + 2 * 8;
    bytes.writeUInt32LE(GgmlType.Q4_K, typeOffset);
    const file = scratch.file('q4k.gguf');
    await writeFile(file, bytes);

    expect(await readGgufModelInfo(file)).toMatchObject({ fileType: undefined, quantization: 'Q4_K', tensorTypes: { Q4_K: 1, F32: 1 } });
  });

  it('sees a chat template', async () => {
    const file = scratch.file('chat.gguf');
    await writeGgufFile(file, { metadata: [...qwenMetadata, ['tokenizer.chat_template', ggufValue.string('{{ messages }}')]], tensors: [norm] });

    expect(await readGgufModelInfo(file)).toMatchObject({ hasChatTemplate: true });
  });
});
