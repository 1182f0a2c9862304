/** One server-sent event: its `event` field (default `message`) and its data lines joined by newlines. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Reads server-sent events from a response body, as the WHATWG EventSource parser does: lines end
 * in LF, CRLF or CR; `data:` lines of one event are joined with LF; a blank line ends the event;
 * comments (`:`) and `id`/`retry` are skipped. A last event without its blank line is dropped, as
 * a browser drops it: the stream was cut.
 */
export async function* readSse(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  // A line that ended in CR at the end of a chunk may be the first half of a CRLF split across chunks.
  let skipLf = false;
  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    if (skipLf && buffer.length > 0) {
      if (buffer.startsWith('\n')) buffer = buffer.slice(1);
      skipLf = false;
    }
    let end: number;
    while ((end = lineEnd(buffer)) >= 0) {
      const line = buffer.slice(0, end);
      skipLf = buffer[end] === '\r' && end + 1 === buffer.length;
      buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) yield { event: event || 'message', data: data.join('\n') };
        event = '';
        data = [];
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
    }
  }
}

function lineEnd(buffer: string): number {
  const lf = buffer.indexOf('\n');
  const cr = buffer.indexOf('\r');
  if (cr < 0) return lf;
  if (lf < 0) return cr;
  return Math.min(lf, cr);
}
