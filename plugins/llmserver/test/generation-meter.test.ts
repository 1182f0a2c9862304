import { describe, expect, it, vi } from 'vitest';
import { GenerationMeter } from '../src/capabilities/generation-meter.ts';

describe('streamed text chunks of a generation', () => {
  it('sends a piece at once when no chunk left within the batch time, and gathers the next ones until it passes', async () => {
    const chunks: string[] = [];
    const meter = new GenerationMeter(({ text }) => chunks.push(text), 20);

    meter.onTextChunk('Hel');
    meter.onTextChunk('lo');
    meter.onTextChunk(' there');
    expect(chunks).toEqual(['Hel']);

    await vi.waitFor(() => expect(chunks).toEqual(['Hel', 'lo there']));
  });

  it('sends what is gathered when flushed at the end of the generation', () => {
    const chunks: string[] = [];
    const meter = new GenerationMeter(({ text }) => chunks.push(text), 1000);

    meter.onTextChunk('a');
    meter.onTextChunk('b');
    meter.onTextChunk('c');
    meter.flush();
    meter.flush();

    expect(chunks).toEqual(['a', 'bc']);
  });

  it('sends every piece as it comes with a batch time of 0, and never an empty chunk', () => {
    const chunks: string[] = [];
    const meter = new GenerationMeter(({ text }) => chunks.push(text), 0);

    for (const piece of ['a', '', 'b', 'c']) meter.onTextChunk(piece);

    expect(chunks).toEqual(['a', 'b', 'c']);
  });
});

it('sends each piece of a slow generation at once, without waiting for the batch time', async () => {
  const chunks: string[] = [];
  const meter = new GenerationMeter(({ text }) => chunks.push(text), 5);

  meter.onTextChunk('one');
  await new Promise((resolve) => setTimeout(resolve, 15));
  meter.onTextChunk('two');

  expect(chunks).toEqual(['one', 'two']);
});
