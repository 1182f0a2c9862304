import { GgufValueType, fileTypeName, type GgufMetadataValue } from './gguf-format.ts';
import { readGgufHeader, type GgufHeader } from './gguf-reader.ts';

/** What the model registry shows about a GGUF model, read from its header alone. */
export interface GgufModelInfo {
  readonly file: string;
  readonly fileSize: number;
  readonly version: number;
  /** `general.architecture` (llama, qwen2, gemma3...); undefined when the file lacks it. */
  readonly architecture: string | undefined;
  readonly name: string | undefined;
  /** Raw `general.file_type` (llama_ftype), when present. */
  readonly fileType: number | undefined;
  /** F32, F16, Q4_0, Q4_K_M...: from `general.file_type`, else the dominant tensor type, else "unknown". */
  readonly quantization: string;
  /** Sum of the element counts of all tensors in this file (one shard of a split model counts its own). */
  readonly parameterCount: number;
  readonly contextLength: number | undefined;
  readonly embeddingLength: number | undefined;
  readonly blockCount: number | undefined;
  /** `<arch>.vocab_size`, else the length of `tokenizer.ggml.tokens`. */
  readonly vocabSize: number | undefined;
  readonly hasChatTemplate: boolean;
  readonly tensorCount: number;
  /** Tensor count per ggml type name, e.g. { F32: 5, Q4_K: 96, Q6_K: 17 }. */
  readonly tensorTypes: Readonly<Record<string, number>>;
}

/** Reads a GGUF file's header (never its tensor data) and summarizes it; errors as readGgufHeader. */
export async function readGgufModelInfo(file: string, options: { signal?: AbortSignal } = {}): Promise<GgufModelInfo> {
  // Array items (vocabularies, merges) are skipped: only their lengths matter here.
  return describeGgufModel(await readGgufHeader(file, { signal: options.signal, arrayItemLimit: 0 }));
}

/** Summarizes an already-read header. */
export function describeGgufModel(header: GgufHeader): GgufModelInfo {
  const { metadata } = header;
  const architecture = stringOf(metadata.get('general.architecture'));
  const architectureNumber = (key: string) => (architecture === undefined ? undefined : integerOf(metadata.get(`${architecture}.${key}`)));
  const fileType = integerOf(metadata.get('general.file_type'));
  const tokens = metadata.get('tokenizer.ggml.tokens');
  const tensorTypes: Record<string, number> = {};
  for (const tensor of header.tensors) tensorTypes[tensor.typeName] = (tensorTypes[tensor.typeName] ?? 0) + 1;
  return {
    file: header.file,
    fileSize: header.fileSize,
    version: header.version,
    architecture,
    name: stringOf(metadata.get('general.name')),
    fileType,
    quantization: (fileType === undefined ? undefined : fileTypeName(fileType)) ?? dominantTensorType(header) ?? 'unknown',
    parameterCount: header.tensors.reduce((sum, tensor) => sum + tensor.elements, 0),
    contextLength: architectureNumber('context_length'),
    embeddingLength: architectureNumber('embedding_length'),
    blockCount: architectureNumber('block_count'),
    vocabSize: architectureNumber('vocab_size') ?? (tokens?.type === GgufValueType.Array ? tokens.length : undefined),
    hasChatTemplate: (stringOf(metadata.get('tokenizer.chat_template')) ?? '').length > 0,
    tensorCount: header.tensors.length,
    tensorTypes,
  };
}

/** The type holding most elements among matrices; norms and biases are F32 in any quantization. */
function dominantTensorType(header: GgufHeader): string | undefined {
  const elementsByType = new Map<string, number>();
  for (const tensor of header.tensors) {
    if (tensor.dimensions.length < 2) continue;
    elementsByType.set(tensor.typeName, (elementsByType.get(tensor.typeName) ?? 0) + tensor.elements);
  }
  let best: [string, number] | undefined;
  for (const entry of elementsByType) if (!best || entry[1] > best[1]) best = entry;
  return best?.[0];
}

function stringOf(value: GgufMetadataValue | undefined): string | undefined {
  return value && value.type !== GgufValueType.Array && typeof value.value === 'string' ? value.value : undefined;
}

function integerOf(value: GgufMetadataValue | undefined): number | undefined {
  if (!value || value.type === GgufValueType.Array) return undefined;
  const number = typeof value.value === 'bigint' ? Number(value.value) : value.value;
  return typeof number === 'number' && Number.isSafeInteger(number) ? number : undefined;
}
