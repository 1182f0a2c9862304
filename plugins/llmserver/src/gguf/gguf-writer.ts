import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_WRITE_VERSION,
  GgmlType,
  GgufValueType,
  fixedValueWidth,
  type GgufMetadataValue,
  type GgufScalar,
  type GgufScalarType,
} from './gguf-format.ts';

/** One F32 tensor to write: ggml dimension order, the first dimension contiguous in `data`. */
export interface GgufTensorInput {
  readonly name: string;
  readonly dimensions: readonly number[];
  readonly data: Float32Array;
}

/** What a GGUF file holds: metadata in insertion order, then tensors in order. */
export interface GgufDocument {
  readonly metadata: Iterable<readonly [string, GgufMetadataValue]>;
  readonly tensors: readonly GgufTensorInput[];
}

/** ggml keeps tensor names in a 64-byte field including the terminating NUL. */
const MAX_TENSOR_NAME_BYTES = 63;
const MAX_TENSOR_DIMENSIONS = 4;

/**
 * Encodes a GGUF v3 file (little-endian, tensors aligned to 32 bytes, offsets relative to the
 * data section). Adds `general.alignment` when the metadata lacks it; throws on a malformed document.
 */
export function encodeGguf(document: GgufDocument): Buffer {
  const entries = [...document.metadata];
  const metadata = new Map(entries);
  if (metadata.size !== entries.length) throw new Error('GGUF metadata keys must be unique');
  const alignmentValue = metadata.get('general.alignment');
  if (alignmentValue && (alignmentValue.type !== GgufValueType.Uint32 || alignmentValue.value !== GGUF_DEFAULT_ALIGNMENT)) {
    throw new Error(`the writer only produces general.alignment u32 ${GGUF_DEFAULT_ALIGNMENT}`);
  }
  if (!alignmentValue) metadata.set('general.alignment', { type: GgufValueType.Uint32, value: GGUF_DEFAULT_ALIGNMENT });
  validateTensors(document.tensors);

  const head = new ByteSink();
  head.u32(GGUF_MAGIC).u32(GGUF_WRITE_VERSION).u64(BigInt(document.tensors.length)).u64(BigInt(metadata.size));
  for (const [key, value] of metadata) {
    head.string(key).u32(value.type);
    writeValue(head, value);
  }
  let dataSize = 0;
  const offsets = document.tensors.map((tensor) => {
    const offset = alignUp(dataSize);
    dataSize = offset + tensor.data.length * 4;
    return offset;
  });
  document.tensors.forEach((tensor, index) => {
    head.string(tensor.name).u32(tensor.dimensions.length);
    for (const dimension of tensor.dimensions) head.u64(BigInt(dimension));
    head.u32(GgmlType.F32).u64(BigInt(offsets[index]!));
  });

  const headBytes = head.toBuffer();
  const dataStart = alignUp(headBytes.length);
  const output = Buffer.alloc(dataStart + alignUp(dataSize));
  headBytes.copy(output, 0);
  document.tensors.forEach((tensor, index) => {
    let position = dataStart + offsets[index]!;
    for (const element of tensor.data) position = output.writeFloatLE(element, position);
  });
  return output;
}

/** Writes a GGUF document to `file` atomically (temp file in the same folder, then rename). */
export async function writeGgufFile(file: string, document: GgufDocument): Promise<{ file: string; bytes: number }> {
  const bytes = encodeGguf(document);
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { file, bytes: bytes.length };
}

function alignUp(offset: number): number {
  return Math.ceil(offset / GGUF_DEFAULT_ALIGNMENT) * GGUF_DEFAULT_ALIGNMENT;
}

function validateTensors(tensors: readonly GgufTensorInput[]): void {
  const names = new Set<string>();
  for (const { name, dimensions, data } of tensors) {
    if (names.has(name)) throw new Error(`duplicate tensor name "${name}"`);
    names.add(name);
    if (name.length === 0 || Buffer.byteLength(name) > MAX_TENSOR_NAME_BYTES) throw new Error(`tensor name "${name}" must be 1..${MAX_TENSOR_NAME_BYTES} bytes`);
    if (dimensions.length < 1 || dimensions.length > MAX_TENSOR_DIMENSIONS) throw new Error(`tensor "${name}" needs 1..${MAX_TENSOR_DIMENSIONS} dimensions`);
    if (!dimensions.every((dimension) => Number.isSafeInteger(dimension) && dimension > 0)) throw new Error(`tensor "${name}" has a dimension that is not a positive integer`);
    const elements = dimensions.reduce((product, dimension) => product * dimension, 1);
    if (elements !== data.length) throw new Error(`tensor "${name}" has ${data.length} values for ${elements} elements`);
  }
}

function writeValue(sink: ByteSink, value: GgufMetadataValue): void {
  if (value.type !== GgufValueType.Array) {
    writeScalar(sink, value.type, value.value);
    return;
  }
  const items = value.items ?? [];
  if (items.length !== value.length) throw new Error('a GGUF array to write needs all its items');
  sink.u32(value.itemType).u64(BigInt(items.length));
  for (const item of items) writeScalar(sink, value.itemType, item);
}

/** Encoders of the fixed-width value types, by type tag. */
const fixedEncoders: Readonly<Record<Exclude<GgufScalarType, typeof GgufValueType.String>, (buffer: Buffer, value: GgufScalar) => unknown>> = {
  [GgufValueType.Uint8]: (buffer, value) => buffer.writeUInt8(value as number),
  [GgufValueType.Int8]: (buffer, value) => buffer.writeInt8(value as number),
  [GgufValueType.Uint16]: (buffer, value) => buffer.writeUInt16LE(value as number),
  [GgufValueType.Int16]: (buffer, value) => buffer.writeInt16LE(value as number),
  [GgufValueType.Uint32]: (buffer, value) => buffer.writeUInt32LE(value as number),
  [GgufValueType.Int32]: (buffer, value) => buffer.writeInt32LE(value as number),
  [GgufValueType.Float32]: (buffer, value) => buffer.writeFloatLE(value as number),
  [GgufValueType.Bool]: (buffer, value) => buffer.writeUInt8(value ? 1 : 0),
  [GgufValueType.Uint64]: (buffer, value) => buffer.writeBigUInt64LE(value as bigint),
  [GgufValueType.Int64]: (buffer, value) => buffer.writeBigInt64LE(value as bigint),
  [GgufValueType.Float64]: (buffer, value) => buffer.writeDoubleLE(value as number),
};

function writeScalar(sink: ByteSink, type: GgufScalarType, value: GgufScalar): void {
  const expected = type === GgufValueType.String ? 'string' : type === GgufValueType.Bool ? 'boolean' : type === GgufValueType.Uint64 || type === GgufValueType.Int64 ? 'bigint' : 'number';
  if (typeof value !== expected) throw new TypeError(`GGUF value ${String(value)} is a ${typeof value}, type ${type} needs a ${expected}`);
  if (type === GgufValueType.String) sink.string(value as string);
  else sink.fixed(fixedValueWidth[type]!, (buffer) => fixedEncoders[type](buffer, value));
}

/** Collects little-endian fields into chunks; the head of a GGUF file is small, so chunks are cheap. */
class ByteSink {
  #chunks: Buffer[] = [];

  fixed(width: number, write: (buffer: Buffer) => unknown): this {
    const buffer = Buffer.alloc(width);
    write(buffer);
    this.#chunks.push(buffer);
    return this;
  }

  u32(value: number): this {
    return this.fixed(4, (buffer) => buffer.writeUInt32LE(value));
  }

  u64(value: bigint): this {
    return this.fixed(8, (buffer) => buffer.writeBigUInt64LE(value));
  }

  string(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(BigInt(bytes.length));
    this.#chunks.push(bytes);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}
