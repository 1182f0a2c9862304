import { writeFile } from 'node:fs/promises';
import { LocalErrorCode } from '@cyberstudio/sdk';
import { describe, expect, it } from 'vitest';
import { readGgufHeader } from '../src/gguf/gguf-reader.ts';
import { ggufValue } from '../src/gguf/gguf-value.ts';
import { encodeGguf } from '../src/gguf/gguf-writer.ts';
import type { ModelInvalidReason } from '../src/gguf/model-invalid-error.ts';
import { useScratchDir } from './support/scratch-dir.ts';

const scratch = useScratchDir();

const valid = encodeGguf({
  metadata: [
    ['general.architecture', ggufValue.string('llama')],
    ['test.number', ggufValue.uint32(7)],
    ['test.tokens', ggufValue.stringArray(['a', 'b', 'c'])],
  ],
  tensors: [{ name: 'only.weight', dimensions: [16], data: new Float32Array(16).fill(0.5) }],
});

/** Offset of the first byte after `key`'s bytes in the header (where its value type starts). */
function afterKey(key: string): number {
  return valid.indexOf(Buffer.from(key)) + key.length;
}

/** Writes `bytes` to a fresh file and returns its path. */
async function fileWith(name: string, bytes: Buffer): Promise<string> {
  const file = scratch.file(name);
  await writeFile(file, bytes);
  return file;
}

/** `valid` with the bytes at `offset` replaced by `patch`. */
function patched(offset: number, patch: Buffer): Buffer {
  const copy = Buffer.from(valid);
  patch.copy(copy, offset);
  return copy;
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
}

function u64(value: bigint): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(value);
  return buffer;
}

async function expectRefused(file: string, reason: ModelInvalidReason, message: RegExp): Promise<void> {
  const failure = await readGgufHeader(file).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toMatchObject({ code: LocalErrorCode.ModelInvalid, details: { file, reason } });
  expect((failure as Error).message).toContain(file);
  expect((failure as Error).message).toMatch(message);
}

describe('readGgufHeader refusals', () => {
  it('reads the unmodified file, so each refusal below comes from its one change', async () => {
    const header = await readGgufHeader(await fileWith('valid.gguf', valid));

    expect(header.tensors).toHaveLength(1);
  });

  it('refuses a file that is not GGUF (bad magic), naming the file', async () => {
    const file = await fileWith('archive.zip', Buffer.from('PK\u0003\u0004 this is a zip archive, not a model'));

    await expectRefused(file, 'bad-magic', /not a GGUF file/);
  });

  it('refuses a GGUF version other than 2 and 3', async () => {
    const file = await fileWith('version-1.gguf', patched(4, u32(1)));

    await expectRefused(file, 'unsupported-version', /GGUF version 1 is not supported/);
  });

  it('says so when the version looks byte-swapped (a big-endian file)', async () => {
    const bigEndianThree = Buffer.from([0, 0, 0, 3]);
    const file = await fileWith('big-endian.gguf', patched(4, bigEndianThree));

    await expectRefused(file, 'unsupported-version', /big-endian/);
  });

  it('refuses a file truncated inside its metadata', async () => {
    const file = await fileWith('cut-header.gguf', valid.subarray(0, afterKey('test.tokens') + 6));

    await expectRefused(file, 'truncated', /truncated/);
  });

  it('refuses a file whose tensor data ends early (a partial download)', async () => {
    const file = await fileWith('cut-data.gguf', valid.subarray(0, valid.length - 4));

    await expectRefused(file, 'truncated', /tensor "only.weight" ends at byte/);
  });

  it('refuses a metadata count larger than the file could hold, before reading entries', async () => {
    const file = await fileWith('many-entries.gguf', patched(16, u64(1n << 40n)));

    await expectRefused(file, 'limit-exceeded', /claims 1099511627776 metadata entries/);
  });

  it('refuses a string longer than 1 MiB without allocating it', async () => {
    const firstKeyLength = 24;
    const file = await fileWith('long-string.gguf', patched(firstKeyLength, u64(1n << 32n)));

    await expectRefused(file, 'limit-exceeded', /a string of 4294967296 bytes/);
  });

  it('refuses an array with more items than the file could hold', async () => {
    const lengthOffset = afterKey('test.tokens') + 4 + 4;
    const file = await fileWith('long-array.gguf', patched(lengthOffset, u64(1_000_000n)));

    await expectRefused(file, 'limit-exceeded', /an array of 1000000 items/);
  });

  it('refuses an unknown value type', async () => {
    const file = await fileWith('odd-type.gguf', patched(afterKey('test.number'), u32(99)));

    await expectRefused(file, 'malformed', /unknown value type 99/);
  });

  it('stops at once when its signal is already aborted', async () => {
    const file = await fileWith('aborted.gguf', valid);

    await expect(readGgufHeader(file, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('lets a missing file fail with the file system error', async () => {
    await expect(readGgufHeader(scratch.file('absent.gguf'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
