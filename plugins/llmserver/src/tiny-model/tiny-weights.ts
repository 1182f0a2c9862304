import type { GgufTensorInput } from '../gguf/gguf-writer.ts';
import { createSeededRandom } from './seeded-random.ts';
import type { TinyTokenKind, TinyVocabulary } from './tiny-vocabulary.ts';

/** The tiny llama model's hyperparameters. */
export const TINY_MODEL_SHAPE = {
  embeddingLength: 64,
  blockCount: 2,
  headCount: 4,
  headCountKv: 4,
  feedForwardLength: 128,
  contextLength: 2048,
  ropeFreqBase: 10_000,
  rmsNormEpsilon: 1e-5,
} as const;

/**
 * The last hidden dimension is reserved: 1.0 in every token embedding, and no layer writes to
 * it, so after the final RMS norm it is a large positive constant. Its column in the output
 * matrix is then a per-token logit bias that keeps byte and control tokens out of samples.
 */
const RESERVED_DIMENSION = TINY_MODEL_SHAPE.embeddingLength - 1;

/**
 * Output weight on the reserved dimension per token kind; the norm scales it by about 6. Blocked
 * tokens sit ~60 logits below the rest. End tokens were tuned by sampling: at temperature 0.8 a
 * generation ends after a few hundred tokens; greedy decoding, checked on several seeds and
 * prompts, ran to its token limit.
 */
const OUTPUT_BIAS: Readonly<Record<TinyTokenKind, number>> = { blocked: -10, end: 0.3, word: 0.35, piece: -0.15 };

/** Deviation of the random parts; layer outputs stay small so the residual stream keeps its shape. */
const EMBEDDING_DEVIATION = 0.1;
const OUTPUT_DEVIATION = 0.25;
const LAYER_OUTPUT_DEVIATION = 0.01;

/** Parameters of the tiny model for a vocabulary of `vocabSize` tokens (the sum of all tensor sizes). */
export function tinyModelParameterCount(vocabSize: number): number {
  const { embeddingLength: embd, blockCount, feedForwardLength: ff, headCount, headCountKv } = TINY_MODEL_SHAPE;
  const kv = (embd / headCount) * headCountKv;
  const perBlock = embd + embd * embd * 2 + embd * kv * 2 + embd + embd * ff * 3;
  return 2 * embd * vocabSize + embd + blockCount * perBlock;
}

/** Deterministic F32 tensors of the tiny model for `vocabulary`; the same seed gives the same bytes. */
export function buildTinyTensors(vocabulary: TinyVocabulary, seed: number): GgufTensorInput[] {
  const random = createSeededRandom(seed);
  const { embeddingLength: embd, blockCount, feedForwardLength: ff, headCount, headCountKv } = TINY_MODEL_SHAPE;
  const kv = (embd / headCount) * headCountKv;
  const vocabSize = vocabulary.tokens.length;

  /** A [columns, rows] matrix (ggml order: each of the `rows` rows holds `columns` values). */
  const matrix = (columns: number, rows: number, deviation: number, fill?: (row: number, column: number) => number | undefined): Float32Array => {
    const data = new Float32Array(columns * rows);
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) data[row * columns + column] = fill?.(row, column) ?? random.normal() * deviation;
    }
    return data;
  };
  const ones = (length: number) => new Float32Array(length).fill(1);
  // Rows are output features: zeroing the reserved row keeps layers from writing to it.
  const keepReservedRow = (row: number) => (row === RESERVED_DIMENSION ? 0 : undefined);

  const tensors: GgufTensorInput[] = [
    { name: 'token_embd.weight', dimensions: [embd, vocabSize], data: matrix(embd, vocabSize, EMBEDDING_DEVIATION, (_token, column) => (column === RESERVED_DIMENSION ? 1 : undefined)) },
  ];
  for (let block = 0; block < blockCount; block++) {
    const prefix = `blk.${block}`;
    tensors.push(
      { name: `${prefix}.attn_norm.weight`, dimensions: [embd], data: ones(embd) },
      { name: `${prefix}.attn_q.weight`, dimensions: [embd, embd], data: matrix(embd, embd, 1 / Math.sqrt(embd)) },
      { name: `${prefix}.attn_k.weight`, dimensions: [embd, kv], data: matrix(embd, kv, 1 / Math.sqrt(embd)) },
      { name: `${prefix}.attn_v.weight`, dimensions: [embd, kv], data: matrix(embd, kv, 1 / Math.sqrt(embd)) },
      { name: `${prefix}.attn_output.weight`, dimensions: [embd, embd], data: matrix(embd, embd, LAYER_OUTPUT_DEVIATION, keepReservedRow) },
      { name: `${prefix}.ffn_norm.weight`, dimensions: [embd], data: ones(embd) },
      { name: `${prefix}.ffn_gate.weight`, dimensions: [embd, ff], data: matrix(embd, ff, 1 / Math.sqrt(embd)) },
      { name: `${prefix}.ffn_up.weight`, dimensions: [embd, ff], data: matrix(embd, ff, 1 / Math.sqrt(embd)) },
      { name: `${prefix}.ffn_down.weight`, dimensions: [ff, embd], data: matrix(ff, embd, LAYER_OUTPUT_DEVIATION, keepReservedRow) },
    );
  }
  tensors.push(
    { name: 'output_norm.weight', dimensions: [embd], data: ones(embd) },
    {
      name: 'output.weight',
      dimensions: [embd, vocabSize],
      data: matrix(embd, vocabSize, OUTPUT_DEVIATION, (token, column) => {
        const kind = vocabulary.kinds[token]!;
        if (column === RESERVED_DIMENSION) return OUTPUT_BIAS[kind];
        // Blocked and end tokens get a context-free logit: a fixed large gap for blocked ones, and a
        // fixed chance per step of ending a sampled generation.
        return kind === 'end' || kind === 'blocked' ? 0 : undefined;
      }),
    },
  );
  return tensors;
}
