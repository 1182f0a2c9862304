import { describe, expect, it } from 'vitest';
import { readSse, type SseEvent } from '../src/remote/remote-sse.ts';

/** The events of a stream cut into the given pieces. */
async function eventsOf(...pieces: Array<string | Uint8Array>): Promise<SseEvent[]> {
  const encoder = new TextEncoder();
  async function* chunks() {
    for (const piece of pieces) yield typeof piece === 'string' ? encoder.encode(piece) : piece;
  }
  const events: SseEvent[] = [];
  for await (const event of readSse(chunks())) events.push(event);
  return events;
}

describe('readSse', () => {
  it('reads data events ended by blank lines, in order', async () => {
    expect(await eventsOf('data: {"a":1}\n\ndata: [DONE]\n\n')).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'message', data: '[DONE]' },
    ]);
  });

  it('joins the data lines of one event and keeps its event name', async () => {
    expect(await eventsOf('event: error\ndata: one\ndata:two\n\n')).toEqual([{ event: 'error', data: 'one\ntwo' }]);
  });

  it('skips comments and events without data', async () => {
    expect(await eventsOf(': keep-alive\n\nid: 4\n\ndata: x\n\n')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('reads events split anywhere across chunks, CRLF split included', async () => {
    expect(await eventsOf('da', 'ta: hel', 'lo\r', '\n\r', '\ndata: bye\r\n\r\n')).toEqual([
      { event: 'message', data: 'hello' },
      { event: 'message', data: 'bye' },
    ]);
  });

  it('decodes a character whose UTF-8 bytes are split across chunks', async () => {
    const bytes = new TextEncoder().encode('data: é\n\n');
    expect(await eventsOf(bytes.slice(0, 7), bytes.slice(7))).toEqual([{ event: 'message', data: 'é' }]);
  });

  it('drops a last event that the stream cut before its blank line', async () => {
    expect(await eventsOf('data: whole\n\ndata: cut')).toEqual([{ event: 'message', data: 'whole' }]);
  });
});
