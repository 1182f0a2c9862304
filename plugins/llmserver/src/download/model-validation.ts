import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ggmlTensorBytes } from '../gguf/gguf-format.ts';
import { describeGgufModel } from '../gguf/gguf-model-info.ts';
import { readGgufHeader, type GgufHeader } from '../gguf/gguf-reader.ts';
import { ramBudgetExceeded } from '../llm-errors.ts';
import type { LlmState } from '../llm-state.ts';
import { modelRefusal } from '../models/model-registry.ts';
import { estimateModelRamBytes } from '../models/ram-estimate.ts';
import { PROGRESS_INTERVAL_MS } from './download-progress.ts';

/** Tokens of the context a test load creates: enough to prove the model runs, small enough to cost little. */
const TEST_LOAD_CONTEXT = 256;

/** What llm.models.validate learned of a model file's header. */
export interface ValidatedInfo {
  name: string | null;
  architecture: string | null;
  parameters: number;
  quantization: string;
  contextLength: number | null;
  ggufVersion: number;
  tensorCount: number;
  fileBytes: number;
  /** Where the last tensor's data ends: the file must be at least this long. */
  requiredBytes: number;
}

/** Result of llm.models.validate; an invalid file is `valid: false` with its problems, not an error. */
export interface ModelValidation {
  id: string;
  valid: boolean;
  problems: string[];
  info: ValidatedInfo | null;
  /** With `checksum: true`. */
  sha256?: string;
  /** With `load: true`: how the test load went ('skipped' when the header already failed). */
  load?: 'passed' | 'failed' | 'already-loaded' | 'skipped';
}

/** One `ctx.progress` chunk while validate hashes a file. */
export interface HashProgress {
  id: string;
  state: 'hashing';
  hashedBytes: number;
  totalBytes: number;
}

/** Options of validateModelFile. */
export interface ValidateOptions {
  readonly load: boolean;
  readonly checksum: boolean;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: HashProgress) => void;
}

/**
 * Checks the model file `file` of `id` afresh (no cached header): the header parses, the tensor
 * data fits in the file, the model is under the parameter limit; optionally hashes it and
 * test-loads it in llama.cpp (a model in the pool already is not loaded twice).
 */
export async function validateModelFile(state: LlmState, id: string, file: string, options: ValidateOptions): Promise<ModelValidation> {
  const problems: string[] = [];
  let header: GgufHeader | undefined;
  try {
    header = await readGgufHeader(file, { signal: options.signal, arrayItemLimit: 0 });
  } catch (error) {
    options.signal.throwIfAborted();
    problems.push(error instanceof Error ? error.message.replace(`${file}: `, '') : String(error));
  }
  const info = header && describeGgufModel(header);
  const refusal = info && modelRefusal(info);
  if (refusal) problems.push(refusal);
  const result: ModelValidation = { id, valid: false, problems, info: header && info ? summary(header, info) : null };
  if (options.checksum) result.sha256 = await hashFile(id, file, options);
  if (options.load) result.load = info && problems.length === 0 ? await testLoad(state, id, info, problems) : 'skipped';
  result.valid = problems.length === 0;
  return result;
}

function summary(header: GgufHeader, info: ReturnType<typeof describeGgufModel>): ValidatedInfo {
  let requiredBytes = header.dataOffset;
  for (const tensor of header.tensors) {
    requiredBytes = Math.max(requiredBytes, header.dataOffset + tensor.offset + (ggmlTensorBytes(tensor.type, tensor.elements) ?? 0));
  }
  return {
    name: info.name ?? null, architecture: info.architecture ?? null, parameters: info.parameterCount, quantization: info.quantization,
    contextLength: info.contextLength ?? null, ggufVersion: info.version, tensorCount: info.tensorCount, fileBytes: info.fileSize, requiredBytes,
  };
}

async function hashFile(id: string, file: string, { signal, onProgress }: ValidateOptions): Promise<string> {
  const hash = createHash('sha256');
  const { size: total } = await stat(file);
  const stream = createReadStream(file, { signal, highWaterMark: 1024 * 1024 });
  let hashedBytes = 0;
  let sentAt = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    hashedBytes += chunk.length;
    if (performance.now() - sentAt >= PROGRESS_INTERVAL_MS || hashedBytes === total) {
      sentAt = performance.now();
      onProgress({ id, state: 'hashing', hashedBytes, totalBytes: total });
    }
  }
  return hash.digest('hex');
}

/** Loads the model with a small context in llama.cpp and frees it at once; a failure becomes a problem. */
async function testLoad(state: LlmState, id: string, info: ReturnType<typeof describeGgufModel>, problems: string[]): Promise<ModelValidation['load']> {
  const { pool, config } = state;
  if (pool.stateOf(id).state === 'loaded' || pool.stateOf(id).state === 'loading') return 'already-loaded';
  const contextSize = Math.min(TEST_LOAD_CONTEXT, info.contextLength ?? TEST_LOAD_CONTEXT);
  const requiredBytes = estimateModelRamBytes(info, contextSize, 1);
  if (pool.usedBytes() + requiredBytes > pool.ramBudgetBytes) throw ramBudgetExceeded(id, requiredBytes, pool.usedBytes(), pool.ramBudgetBytes);
  // Outside the try: a binding that cannot load is the server's problem, not the model's.
  const llama = await state.llama();
  try {
    const model = await llama.loadModel({ modelPath: info.file });
    try {
      const context = await model.createContext({ contextSize, sequences: 1, threads: config.threads });
      await context.dispose();
    } finally {
      await model.dispose();
    }
    return 'passed';
  } catch (error) {
    problems.push(`llama.cpp could not load it: ${error instanceof Error ? error.message : String(error)}`);
    return 'failed';
  }
}
