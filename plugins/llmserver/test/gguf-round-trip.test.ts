import { readFile, readdir, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { GgufValueType, type GgufMetadataValue } from '../src/gguf/gguf-format.ts';
import { readGgufHeader } from '../src/gguf/gguf-reader.ts';
import { arrayOf, ggufValue } from '../src/gguf/gguf-value.ts';
import { encodeGguf, writeGgufFile, type GgufDocument } from '../src/gguf/gguf-writer.ts';
import { useScratchDir } from './support/scratch-dir.ts';

const scratch = useScratchDir();

const metadata: [string, GgufMetadataValue][] = [
  ['general.architecture', ggufValue.string('llama')],
  ['general.name', ggufValue.string('round trip ✓ ünïcode')],
  ['test.u8', { type: GgufValueType.Uint8, value: 255 }],
  ['test.i8', { type: GgufValueType.Int8, value: -128 }],
  ['test.u16', { type: GgufValueType.Uint16, value: 65_535 }],
  ['test.i16', { type: GgufValueType.Int16, value: -32_768 }],
  ['test.u32', ggufValue.uint32(4_294_967_295)],
  ['test.i32', ggufValue.int32(-2_147_483_648)],
  ['test.f32', ggufValue.float32(-2.25)],
  ['test.bool_true', ggufValue.bool(true)],
  ['test.bool_false', ggufValue.bool(false)],
  ['test.u64', ggufValue.uint64(18_446_744_073_709_551_615n)],
  ['test.i64', { type: GgufValueType.Int64, value: -9_223_372_036_854_775_808n }],
  ['test.f64', { type: GgufValueType.Float64, value: Math.PI }],
  ['test.empty_string', ggufValue.string('')],
  ['test.strings', ggufValue.stringArray(['<unk>', '\u2581hello', '', 'x'.repeat(300)])],
  ['test.floats', ggufValue.float32Array([0, 1.5, -0.125, 65_504])],
  ['test.ints', ggufValue.int32Array([1, -1, 2_147_483_647])],
  ['test.bools', arrayOf(GgufValueType.Bool, [true, false, true])],
  ['test.empty_array', ggufValue.int32Array([])],
];

const tensors = [
  { name: 'a.weight', dimensions: [3], data: new Float32Array([1, -2, 3.5]) },
  { name: 'b.weight', dimensions: [5, 2], data: Float32Array.from({ length: 10 }, (_, index) => index / 4) },
  { name: 'c.weight', dimensions: [2, 2, 2, 1], data: new Float32Array([8, 7, 6, 5, 4, 3, 2, 1]) },
];

const document: GgufDocument = { metadata, tensors };

describe('GGUF writer and reader', () => {
  it('read back every metadata value with its type, plus the general.alignment the writer adds', async () => {
    const file = scratch.file('metadata.gguf');
    await writeGgufFile(file, document);

    const header = await readGgufHeader(file);

    expect(header.version).toBe(3);
    expect(header.alignment).toBe(32);
    expect([...header.metadata]).toEqual([...metadata, ['general.alignment', ggufValue.uint32(32)]]);
  });

  it('read back the tensor infos as written, with offsets aligned to 32 bytes from the data section', async () => {
    const file = scratch.file('tensors.gguf');
    await writeGgufFile(file, document);

    const header = await readGgufHeader(file);

    expect(header.tensors.map(({ name, dimensions, typeName, elements }) => ({ name, dimensions, typeName, elements }))).toEqual([
      { name: 'a.weight', dimensions: [3], typeName: 'F32', elements: 3 },
      { name: 'b.weight', dimensions: [5, 2], typeName: 'F32', elements: 10 },
      { name: 'c.weight', dimensions: [2, 2, 2, 1], typeName: 'F32', elements: 8 },
    ]);
    expect(header.tensors.map((tensor) => tensor.offset)).toEqual([0, 32, 96]);
    expect(header.dataOffset % 32).toBe(0);
  });

  it("places each tensor's little-endian F32 values at data section + offset", async () => {
    const file = scratch.file('data.gguf');
    await writeGgufFile(file, document);
    const header = await readGgufHeader(file);
    const bytes = await readFile(file);

    header.tensors.forEach((tensor, index) => {
      const start = header.dataOffset + tensor.offset;
      const values = Array.from({ length: tensor.elements }, (_, element) => bytes.readFloatLE(start + element * 4));
      expect(values).toEqual(Array.from(tensors[index]!.data));
    });
  });

  it('keeps only the length of arrays longer than arrayItemLimit', async () => {
    const file = scratch.file('skipped.gguf');
    await writeGgufFile(file, document);

    const header = await readGgufHeader(file, { arrayItemLimit: 3 });

    expect(header.metadata.get('test.strings')).toEqual({ type: GgufValueType.Array, itemType: GgufValueType.String, length: 4 });
    expect(header.metadata.get('test.bools')).toEqual(arrayOf(GgufValueType.Bool, [true, false, true]));
    expect(header.metadata.get('test.u64')).toEqual(ggufValue.uint64(18_446_744_073_709_551_615n));
  });

  it('writes atomically: the target appears whole and no temporary file stays behind', async () => {
    const file = scratch.file('atomic.gguf');
    await writeFile(file, 'an older file');

    const { bytes } = await writeGgufFile(file, document);

    expect(await readFile(file)).toEqual(encodeGguf(document));
    expect(bytes).toBe(encodeGguf(document).length);
    expect((await readdir(scratch.path)).filter((name) => name.includes('atomic'))).toEqual(['atomic.gguf']);
  });

  it('refuses a tensor whose data does not match its dimensions', () => {
    const broken = { metadata: [], tensors: [{ name: 'x', dimensions: [2, 2], data: new Float32Array(3) }] };

    expect(() => encodeGguf(broken)).toThrow('tensor "x" has 3 values for 4 elements');
  });
});
