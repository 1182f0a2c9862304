import { open } from 'node:fs/promises';
import { ggufValue } from '../../src/gguf/gguf-value.ts';
import { encodeGguf } from '../../src/gguf/gguf-writer.ts';

const TENSOR = 'token_embd.weight';

/**
 * Writes a valid GGUF header declaring one F32 tensor of `rows` x `columns` elements, as a sparse
 * file of the full size: the reader sees a model of that many parameters, the disk holds a few KB.
 */
export async function writeOversizedModel(file: string, rows: number, columns: number): Promise<void> {
  const placeholder = new Float32Array(8);
  const bytes = encodeGguf({
    metadata: [
      ['general.architecture', ggufValue.string('llama')],
      ['general.name', ggufValue.string('oversized')],
      ['general.file_type', ggufValue.uint32(0)],
    ],
    tensors: [{ name: TENSOR, dimensions: [2, 4], data: placeholder }],
  });
  // The tensor info follows its name: u32 dimension count, then one u64 per dimension.
  const dimensionsAt = bytes.indexOf(Buffer.from(TENSOR)) + TENSOR.length + 4;
  bytes.writeBigUInt64LE(BigInt(rows), dimensionsAt);
  bytes.writeBigUInt64LE(BigInt(columns), dimensionsAt + 8);
  const dataStart = bytes.length - placeholder.byteLength;
  const handle = await open(file, 'w');
  try {
    await handle.write(bytes.subarray(0, dataStart), 0, dataStart, 0);
    await handle.truncate(dataStart + rows * columns * 4);
  } finally {
    await handle.close();
  }
}
