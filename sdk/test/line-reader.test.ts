import { describe, expect, it } from 'vitest';
import { LineReader, type ByteChunk } from '../src/rpc/line-reader.ts';

/** A reader over Buffers that records every line and every dropped line's size. */
function recordingReader(maxLineBytes?: number) {
  const lines: string[] = [];
  const oversized: number[] = [];
  const reader = new LineReader(
    { onLine: (line) => lines.push(line), onOversized: (bytes) => oversized.push(bytes) },
    { maxLineBytes, concat: (chunks: ByteChunk[], size: number) => Buffer.concat(chunks as Buffer[], size) },
  );
  const push = (...chunks: (string | Buffer)[]) => {
    for (const chunk of chunks) reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  };
  return { reader, lines, oversized, push };
}

describe('LineReader', () => {
  it('joins a line split across chunks', () => {
    const { lines, push } = recordingReader();
    push('{"a":', '1}\n{"b"', ':2}\n');
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('decodes a multi-byte UTF-8 character split across chunks intact', () => {
    const { lines, push } = recordingReader();
    const bytes = Buffer.from('"h€llo 😀"\n');
    const euro = bytes.indexOf(0xe2);
    const emoji = bytes.indexOf(0xf0);
    push(bytes.subarray(0, euro + 1), bytes.subarray(euro + 1, emoji + 2), bytes.subarray(emoji + 2));
    expect(lines).toEqual(['"h€llo 😀"']);
  });

  it('strips the carriage return of a CRLF line ending', () => {
    const { lines, push } = recordingReader();
    push('{"a":1}\r\n{"b":2}\r', '\n');
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('drops a line over the cap, reports its size, and delivers the next line', () => {
    const { lines, oversized, push } = recordingReader(10);
    push('x'.repeat(25) + '\n{"ok":1}\n');
    expect(oversized).toEqual([25]);
    expect(lines).toEqual(['{"ok":1}']);
  });

  it('drops an oversized line spanning many chunks and reports its whole size', () => {
    const { lines, oversized, push } = recordingReader(10);
    push('{"a":1}\n', 'y'.repeat(7), 'y'.repeat(7), 'y'.repeat(7), 'y'.repeat(4) + '\n{"b":', '2}\n');
    expect(oversized).toEqual([25]);
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('accepts a line of exactly the cap', () => {
    const { lines, oversized, push } = recordingReader(10);
    push('0123456789\n');
    expect(oversized).toEqual([]);
    expect(lines).toEqual(['0123456789']);
  });

  it('delivers a final unterminated line on end()', () => {
    const { reader, lines, push } = recordingReader();
    push('{"a":1}\n{"last"', ':true}');
    expect(lines).toEqual(['{"a":1}']);
    reader.end();
    expect(lines).toEqual(['{"a":1}', '{"last":true}']);
  });

  it('skips empty lines', () => {
    const { lines, push } = recordingReader();
    push('\n\r\n{"a":1}\n\n');
    expect(lines).toEqual(['{"a":1}']);
  });
});
