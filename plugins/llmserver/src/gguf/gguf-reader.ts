import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GgufValueType,
  SUPPORTED_GGUF_VERSIONS,
  fixedValueWidth,
  ggmlTensorBytes,
  ggmlTypeName,
  type GgufMetadataValue,
  type GgufScalar,
  type GgufScalarType,
} from './gguf-format.ts';
import { GgufByteReader, MAX_GGUF_STRING_BYTES } from './gguf-byte-reader.ts';
import { modelInvalidError, type ModelInvalidReason } from './model-invalid-error.ts';

/** Longest string the reader accepts (1 MiB). */
export { MAX_GGUF_STRING_BYTES };
/** Most items in one metadata array; the largest real vocabularies and merge lists hold under 1M. */
export const MAX_GGUF_ARRAY_LENGTH = 16 * 1024 * 1024;
/** Most metadata entries and most tensors in one file. */
export const MAX_GGUF_ENTRIES = 1024 * 1024;
/** ggml tensors have at most four dimensions. */
const MAX_TENSOR_DIMENSIONS = 4;
/** The smallest possible metadata entry (empty key, type, one byte) and tensor info (empty name, 1-D). */
const MIN_ENTRY_BYTES = 13;
const MIN_TENSOR_INFO_BYTES = 32;
/** Numeric array items decoded per read. */
const ARRAY_SLICE_ITEMS = 64 * 1024;

/** One tensor as the header describes it; its data is never read. */
export interface GgufTensorInfo {
  readonly name: string;
  /** ggml order: the first dimension is contiguous. */
  readonly dimensions: readonly number[];
  readonly type: number;
  readonly typeName: string;
  readonly elements: number;
  /** Offset of the tensor's data from the start of the data section. */
  readonly offset: number;
}

/** Everything in a GGUF file before its tensor data. */
export interface GgufHeader {
  readonly file: string;
  readonly fileSize: number;
  readonly version: number;
  readonly alignment: number;
  readonly metadata: ReadonlyMap<string, GgufMetadataValue>;
  readonly tensors: readonly GgufTensorInfo[];
  /** Absolute file offset where tensor data starts. */
  readonly dataOffset: number;
}

/** Options of readGgufHeader. */
export interface ReadGgufOptions {
  readonly signal?: AbortSignal;
  /** Arrays longer than this keep only their length (no `items`); default: keep every item. */
  readonly arrayItemLimit?: number;
}

/**
 * Reads the header, metadata and tensor infos of a GGUF v2/v3 file, streaming only those bytes.
 * Throws CDS_ERR_MODEL_INVALID naming the file for anything it cannot accept; file-system
 * errors (ENOENT, EACCES) pass through unchanged.
 *
 * Not node-llama-cpp's readGgufFileInfo (3.21.1), measured against it here: it accepts versions
 * other than 2/3, big-endian files and headers cut short (it reads zeros past the end) without
 * an error, does not check tensor data against the file size, allocates whatever size a
 * corrupt length claims up to 4 GiB before failing, and decodes every vocabulary and merge
 * string: 330-430 ms per model with a 150k-token vocabulary against 34 ms here, for each new
 * or changed file a listing reads (and for each download and validation).
 */
export async function readGgufHeader(file: string, options: ReadGgufOptions = {}): Promise<GgufHeader> {
  const reader = await GgufByteReader.open(file, options.signal);
  try {
    return await parseHeader(reader, options.arrayItemLimit ?? Number.POSITIVE_INFINITY);
  } finally {
    await reader.close();
  }
}

async function parseHeader(reader: GgufByteReader, arrayItemLimit: number): Promise<GgufHeader> {
  const fail = (reason: ModelInvalidReason, problem: string, offset = reader.offset) => modelInvalidError(reader.file, reason, problem, offset);
  await checkMagic(reader);
  const version = await reader.u32();
  if (!SUPPORTED_GGUF_VERSIONS.includes(version)) {
    const bigEndian = SUPPORTED_GGUF_VERSIONS.includes(Buffer.from(new Uint32Array([version]).buffer).readUInt32BE(0));
    throw fail('unsupported-version', `GGUF version ${version} is not supported (only ${SUPPORTED_GGUF_VERSIONS.join(' and ')}, little-endian)${bigEndian ? '; this looks like a big-endian GGUF file' : ''}`, 4);
  }
  const tensorCount = await readCount(reader, 'tensors', MIN_TENSOR_INFO_BYTES);
  const entryCount = await readCount(reader, 'metadata entries', MIN_ENTRY_BYTES);

  const metadata = new Map<string, GgufMetadataValue>();
  for (let index = 0; index < entryCount; index++) {
    const keyOffset = reader.offset;
    const key = await reader.string();
    if (metadata.has(key)) throw fail('malformed', `metadata key "${key}" appears twice`, keyOffset);
    metadata.set(key, await readValue(reader, await reader.u32(), arrayItemLimit));
  }
  const alignment = alignmentOf(metadata.get('general.alignment'), fail);

  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let index = 0; index < tensorCount; index++) {
    const infoOffset = reader.offset;
    const name = await reader.string();
    if (names.has(name)) throw fail('malformed', `tensor "${name}" appears twice`, infoOffset);
    names.add(name);
    const dimensionCount = await reader.u32();
    if (dimensionCount < 1 || dimensionCount > MAX_TENSOR_DIMENSIONS) throw fail('malformed', `tensor "${name}" has ${dimensionCount} dimensions (1..${MAX_TENSOR_DIMENSIONS} allowed)`);
    const dimensions: number[] = [];
    for (let dimension = 0; dimension < dimensionCount; dimension++) dimensions.push(safeNumber(await reader.u64(), `a dimension of tensor "${name}"`, reader));
    const elements = dimensions.reduce((product, dimension) => product * dimension, 1);
    if (!Number.isSafeInteger(elements)) throw fail('limit-exceeded', `tensor "${name}" has too many elements`, infoOffset);
    const type = await reader.u32();
    const offset = safeNumber(await reader.u64(), `the offset of tensor "${name}"`, reader);
    if (offset % alignment !== 0) throw fail('malformed', `tensor "${name}" is at offset ${offset}, not a multiple of the alignment ${alignment}`, infoOffset);
    tensors.push({ name, dimensions, type, typeName: ggmlTypeName(type), elements, offset });
  }

  const dataOffset = Math.ceil(reader.offset / alignment) * alignment;
  for (const tensor of tensors) {
    const end = dataOffset + tensor.offset + (ggmlTensorBytes(tensor.type, tensor.elements) ?? 0);
    if (end > reader.fileSize) throw fail('truncated', `the file is truncated: tensor "${tensor.name}" ends at byte ${end}, the file has ${reader.fileSize}`, dataOffset + tensor.offset);
  }
  return { file: reader.file, fileSize: reader.fileSize, version, alignment, metadata, tensors, dataOffset };
}

async function checkMagic(reader: GgufByteReader): Promise<void> {
  const expected = Buffer.alloc(4);
  expected.writeUInt32LE(GGUF_MAGIC);
  const present = await reader.bytes(Math.min(4, reader.fileSize));
  if (present.equals(expected)) return;
  if (present.length < 4 && expected.subarray(0, present.length).equals(present)) {
    throw modelInvalidError(reader.file, 'truncated', `the file is truncated: ${reader.fileSize} bytes, shorter than a GGUF header`, 0);
  }
  throw modelInvalidError(reader.file, 'bad-magic', `not a GGUF file: it starts with ${JSON.stringify(present.toString('latin1'))}, not "GGUF"`, 0);
}

async function readCount(reader: GgufByteReader, what: string, minBytesEach: number): Promise<number> {
  const offset = reader.offset;
  const count = await reader.u64();
  if (count > BigInt(MAX_GGUF_ENTRIES) || Number(count) * minBytesEach > reader.remaining) {
    throw modelInvalidError(reader.file, 'limit-exceeded', `the header claims ${count} ${what}, more than the reader accepts (${MAX_GGUF_ENTRIES}) or the file could hold`, offset);
  }
  return Number(count);
}

async function readValue(reader: GgufByteReader, type: number, arrayItemLimit: number): Promise<GgufMetadataValue> {
  if (type !== GgufValueType.Array) {
    const valueType = scalarType(reader, type);
    return { type: valueType, value: await readScalar(reader, valueType) };
  }
  const itemType = scalarType(reader, await reader.u32(), 'an array item');
  const lengthOffset = reader.offset;
  const length = await reader.u64();
  const minItemBytes = fixedValueWidth[itemType] ?? 8;
  if (length > BigInt(MAX_GGUF_ARRAY_LENGTH) || Number(length) * minItemBytes > reader.remaining) {
    throw modelInvalidError(reader.file, 'limit-exceeded', `an array of ${length} items is longer than the reader accepts (${MAX_GGUF_ARRAY_LENGTH}) or the file could hold`, lengthOffset);
  }
  const count = Number(length);
  const keep = count <= arrayItemLimit;
  let items: GgufScalar[] = [];
  if (itemType === GgufValueType.String) {
    items = await reader.strings(count, keep);
  } else if (!keep) {
    await reader.skip(count * minItemBytes);
  } else {
    // In slices, so a long numeric array never needs one huge buffer.
    for (let done = 0; done < count; ) {
      const slice = Math.min(count - done, ARRAY_SLICE_ITEMS);
      const bytes = await reader.bytes(slice * minItemBytes);
      for (let index = 0; index < slice; index++) items.push(decodeFixed(bytes, index * minItemBytes, itemType));
      done += slice;
    }
  }
  return keep ? { type: GgufValueType.Array, itemType, length: count, items } : { type: GgufValueType.Array, itemType, length: count };
}

function scalarType(reader: GgufByteReader, type: number, what = 'a metadata value'): GgufScalarType {
  if (type === GgufValueType.String || fixedValueWidth[type as GgufValueType] !== undefined) return type as GgufScalarType;
  const problem = type === GgufValueType.Array ? 'nested arrays are not supported' : `unknown value type ${type}`;
  throw modelInvalidError(reader.file, 'malformed', `${what} has an invalid type: ${problem}`, reader.offset - 4);
}

async function readScalar(reader: GgufByteReader, type: GgufScalarType): Promise<GgufScalar> {
  if (type === GgufValueType.String) return reader.string();
  return decodeFixed(await reader.bytes(fixedValueWidth[type]!), 0, type);
}

function decodeFixed(bytes: Buffer, at: number, type: Exclude<GgufScalarType, typeof GgufValueType.String>): GgufScalar {
  switch (type) {
    case GgufValueType.Uint8: return bytes.readUInt8(at);
    case GgufValueType.Int8: return bytes.readInt8(at);
    case GgufValueType.Uint16: return bytes.readUInt16LE(at);
    case GgufValueType.Int16: return bytes.readInt16LE(at);
    case GgufValueType.Uint32: return bytes.readUInt32LE(at);
    case GgufValueType.Int32: return bytes.readInt32LE(at);
    case GgufValueType.Float32: return bytes.readFloatLE(at);
    case GgufValueType.Bool: return bytes.readUInt8(at) !== 0;
    case GgufValueType.Uint64: return bytes.readBigUInt64LE(at);
    case GgufValueType.Int64: return bytes.readBigInt64LE(at);
    case GgufValueType.Float64: return bytes.readDoubleLE(at);
    default: return type satisfies never;
  }
}

function alignmentOf(value: GgufMetadataValue | undefined, fail: (reason: ModelInvalidReason, problem: string) => Error): number {
  if (value === undefined) return GGUF_DEFAULT_ALIGNMENT;
  // ggml itself refuses any other type for this key.
  const alignment = value.type === GgufValueType.Uint32 ? (value.value as number) : Number.NaN;
  if (!(alignment > 0) || (alignment & (alignment - 1)) !== 0) throw fail('malformed', 'general.alignment is not a u32 power of two');
  return alignment;
}

function safeNumber(value: bigint, what: string, reader: GgufByteReader): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw modelInvalidError(reader.file, 'limit-exceeded', `${what} (${value}) is too large`, reader.offset - 8);
  return Number(value);
}
