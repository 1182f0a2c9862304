import { describe, expect, it, vi } from 'vitest';
import { CancellationSource } from '../src/index.ts';

describe('CancellationSource', () => {
  it('aborts once with the first reason and runs each listener once', () => {
    const source = new CancellationSource();
    const listener = vi.fn();
    source.addEventListener('abort', listener);

    source.abort('first');
    source.abort('second');

    expect(source.aborted).toBe(true);
    expect(source.reason).toBe('first');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('does not call a removed listener, and a throwing listener does not stop the others', () => {
    const source = new CancellationSource();
    const removed = vi.fn();
    const after = vi.fn();
    source.addEventListener('abort', removed);
    source.addEventListener('abort', () => {
      throw new Error('listener failed');
    });
    source.addEventListener('abort', after);
    source.removeEventListener('abort', removed);

    source.abort(new Error('stop'));

    expect(removed).not.toHaveBeenCalled();
    expect(after).toHaveBeenCalledTimes(1);
  });
});
