import type { GgufModelInfo } from '../gguf/gguf-model-info.ts';

/** Tokens llama.cpp evaluates per step; its compute buffer holds logits for this many. */
const BATCH_TOKENS = 512;
/** K and V, each an f16 (2-byte) vector of embedding length per cached token per layer. */
const KV_BYTES_PER_TOKEN_PER_LAYER_PER_DIMENSION = 2 * 2;
const FLOAT32_BYTES = 4;

/** What the estimate reads from a model's header. */
export type RamEstimateInput = Pick<GgufModelInfo, 'fileSize' | 'blockCount' | 'embeddingLength' | 'vocabSize'>;

/**
 * Bytes a context of `contextSize` tokens per sequence needs: its KV cache in f16 (counting every
 * attention head, so grouped-query models come out high) and a logits buffer for one batch.
 */
export function estimateContextRamBytes(info: RamEstimateInput, contextSize: number, sequences: number): number {
  const cells = contextSize * sequences;
  const kvCache = KV_BYTES_PER_TOKEN_PER_LAYER_PER_DIMENSION * (info.blockCount ?? 0) * (info.embeddingLength ?? 0) * cells;
  const logits = (info.vocabSize ?? 0) * Math.min(BATCH_TOKENS, cells) * FLOAT32_BYTES;
  return kvCache + logits;
}

/**
 * Bytes a loaded model with one generation context needs: the file (weights are mapped whole)
 * plus the context. A rough figure for the RAM budget, not a measurement.
 */
export function estimateModelRamBytes(info: RamEstimateInput, contextSize: number, sequences: number): number {
  return info.fileSize + estimateContextRamBytes(info, contextSize, sequences);
}
