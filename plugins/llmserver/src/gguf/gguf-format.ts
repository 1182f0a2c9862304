/**
 * The GGUF container format as ggml defines it (ggml/docs/gguf.md): magic, value types, tensor
 * (ggml) types with their block sizes, and the llama.cpp file-type names. Shared by the writer
 * and the reader so both agree on every number.
 */

/** "GGUF" read as a little-endian u32: the first four bytes of every GGUF file. */
export const GGUF_MAGIC = 0x46554747;

/** GGUF versions the reader accepts: v2 and v3 share the layout (v3 only adds big-endian files). */
export const SUPPORTED_GGUF_VERSIONS: readonly number[] = [2, 3];

/** The version the writer produces. */
export const GGUF_WRITE_VERSION = 3;

/** Tensor data alignment when `general.alignment` is absent, and the one the writer uses. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Type tags of metadata values. */
export const GgufValueType = {
  Uint8: 0,
  Int8: 1,
  Uint16: 2,
  Int16: 3,
  Uint32: 4,
  Int32: 5,
  Float32: 6,
  Bool: 7,
  String: 8,
  Array: 9,
  Uint64: 10,
  Int64: 11,
  Float64: 12,
} as const;

/** A metadata value type tag. */
export type GgufValueType = (typeof GgufValueType)[keyof typeof GgufValueType];

/** Every value type except Array: the types an array may hold (ggml rejects nested arrays). */
export type GgufScalarType = Exclude<GgufValueType, typeof GgufValueType.Array>;

/** A decoded scalar: 64-bit integers are bigint, everything else number, boolean or string. */
export type GgufScalar = number | bigint | boolean | string;

/** One metadata value with its type, so a round trip keeps u32 apart from i32 and f32. */
export type GgufMetadataValue =
  | { readonly type: GgufScalarType; readonly value: GgufScalar }
  | {
      readonly type: typeof GgufValueType.Array;
      readonly itemType: GgufScalarType;
      readonly length: number;
      /** Absent when the reader was asked to skip array items (it still knows the length). */
      readonly items?: readonly GgufScalar[];
    };

/** Byte width of each fixed-size value type (strings are length-prefixed, arrays nested). */
export const fixedValueWidth: Readonly<Partial<Record<GgufValueType, number>>> = {
  0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8,
};

/** ggml tensor types, by the numbers stored in tensor infos. */
export const GgmlType = {
  F32: 0, F16: 1, Q4_0: 2, Q4_1: 3, Q5_0: 6, Q5_1: 7, Q8_0: 8, Q8_1: 9,
  Q2_K: 10, Q3_K: 11, Q4_K: 12, Q5_K: 13, Q6_K: 14, Q8_K: 15,
  IQ2_XXS: 16, IQ2_XS: 17, IQ3_XXS: 18, IQ1_S: 19, IQ4_NL: 20, IQ3_S: 21, IQ2_S: 22, IQ4_XS: 23,
  I8: 24, I16: 25, I32: 26, I64: 27, F64: 28, IQ1_M: 29, BF16: 30,
  Q4_0_4_4: 31, Q4_0_4_8: 32, Q4_0_8_8: 33, TQ1_0: 34, TQ2_0: 35,
  IQ4_NL_4_4: 36, IQ4_NL_4_8: 37, IQ4_NL_8_8: 38, MXFP4: 39,
} as const;

/** The name of a ggml tensor type, or `TYPE_<n>` for one this table does not know. */
export function ggmlTypeName(type: number): string {
  return ggmlTypeNames.get(type) ?? `TYPE_${type}`;
}

const ggmlTypeNames = new Map<number, string>(Object.entries(GgmlType).map(([name, id]) => [id, name]));

/** [elements per block, bytes per block] of the types whose storage size we can compute. */
const ggmlBlockLayout: ReadonlyMap<number, readonly [number, number]> = new Map([
  [0, [1, 4]], [1, [1, 2]], [2, [32, 18]], [3, [32, 20]], [6, [32, 22]], [7, [32, 24]], [8, [32, 34]], [9, [32, 36]],
  [10, [256, 84]], [11, [256, 110]], [12, [256, 144]], [13, [256, 176]], [14, [256, 210]], [15, [256, 292]],
  [16, [256, 66]], [17, [256, 74]], [18, [256, 98]], [19, [256, 50]], [20, [32, 18]], [21, [256, 110]],
  [22, [256, 82]], [23, [256, 136]], [24, [1, 1]], [25, [1, 2]], [26, [1, 4]], [27, [1, 8]], [28, [1, 8]],
  [29, [256, 56]], [30, [1, 2]], [31, [32, 18]], [32, [32, 18]], [33, [32, 18]], [34, [256, 54]], [35, [256, 66]],
  [36, [32, 18]], [37, [32, 18]], [38, [32, 18]], [39, [32, 17]],
]);

/** Bytes a tensor of this type and element count occupies, or undefined for an unknown type. */
export function ggmlTensorBytes(type: number, elements: number): number | undefined {
  const layout = ggmlBlockLayout.get(type);
  if (!layout) return undefined;
  const [blockElements, blockBytes] = layout;
  return Math.ceil(elements / blockElements) * blockBytes;
}

/** llama.cpp's `general.file_type` values (enum llama_ftype), named as quantization tools print them. */
const fileTypeNames = new Map<number, string>([
  [0, 'F32'], [1, 'F16'], [2, 'Q4_0'], [3, 'Q4_1'], [4, 'Q4_1_SOME_F16'], [7, 'Q8_0'], [8, 'Q5_0'], [9, 'Q5_1'],
  [10, 'Q2_K'], [11, 'Q3_K_S'], [12, 'Q3_K_M'], [13, 'Q3_K_L'], [14, 'Q4_K_S'], [15, 'Q4_K_M'], [16, 'Q5_K_S'],
  [17, 'Q5_K_M'], [18, 'Q6_K'], [19, 'IQ2_XXS'], [20, 'IQ2_XS'], [21, 'Q2_K_S'], [22, 'IQ3_XS'], [23, 'IQ3_XXS'],
  [24, 'IQ1_S'], [25, 'IQ4_NL'], [26, 'IQ3_S'], [27, 'IQ3_M'], [28, 'IQ2_S'], [29, 'IQ2_M'], [30, 'IQ4_XS'],
  [31, 'IQ1_M'], [32, 'BF16'], [33, 'Q4_0_4_4'], [34, 'Q4_0_4_8'], [35, 'Q4_0_8_8'], [36, 'TQ1_0'], [37, 'TQ2_0'],
  [38, 'MXFP4_MOE'],
]);

/** llama.cpp ORs this flag into file types it guessed rather than knew. */
const FILE_TYPE_GUESSED = 1024;

/** The quantization name of a `general.file_type` value, or undefined for an unknown one. */
export function fileTypeName(fileType: number): string | undefined {
  return fileTypeNames.get(fileType & ~FILE_TYPE_GUESSED);
}
