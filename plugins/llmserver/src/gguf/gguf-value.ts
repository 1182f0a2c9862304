import { GgufValueType, type GgufMetadataValue, type GgufScalarType } from './gguf-format.ts';

/** Typed metadata values for the writer: `ggufValue.uint32(64)`, `ggufValue.stringArray(tokens)`. */
export const ggufValue = {
  uint32: (value: number): GgufMetadataValue => ({ type: GgufValueType.Uint32, value }),
  int32: (value: number): GgufMetadataValue => ({ type: GgufValueType.Int32, value }),
  uint64: (value: bigint): GgufMetadataValue => ({ type: GgufValueType.Uint64, value }),
  float32: (value: number): GgufMetadataValue => ({ type: GgufValueType.Float32, value }),
  bool: (value: boolean): GgufMetadataValue => ({ type: GgufValueType.Bool, value }),
  string: (value: string): GgufMetadataValue => ({ type: GgufValueType.String, value }),
  stringArray: (items: readonly string[]): GgufMetadataValue => arrayOf(GgufValueType.String, items),
  float32Array: (items: readonly number[]): GgufMetadataValue => arrayOf(GgufValueType.Float32, items),
  int32Array: (items: readonly number[]): GgufMetadataValue => arrayOf(GgufValueType.Int32, items),
};

/** An array value holding `items` of one scalar type. */
export function arrayOf(itemType: GgufScalarType, items: readonly (string | number | bigint | boolean)[]): GgufMetadataValue {
  return { type: GgufValueType.Array, itemType, length: items.length, items };
}
