import { describe, expect, it, vi } from 'vitest';
import type { JsonRpcMessage } from '../src/rpc/json-rpc-message.ts';
import type { Transport } from '../src/rpc/transport.ts';
import { createTransportPair } from '../src/testing/memory-transport.ts';

/** Starts `transport`, recording what it receives and how it closes. */
function listen(transport: Transport) {
  const received: unknown[] = [];
  const closes: string[] = [];
  transport.start({ onMessage: (message) => received.push(message), onClose: (reason) => closes.push(reason) });
  return { received, closes };
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const note = (n: number): JsonRpcMessage => ({ jsonrpc: '2.0', method: 'demo.note', params: { n } });

describe('createTransportPair', () => {
  it('delivers a message to the other end after send returns, not during it', async () => {
    const [left, right] = createTransportPair();
    const { received } = listen(right);
    listen(left);
    left.send(note(1));
    expect(received).toEqual([]);
    await tick();
    expect(received).toEqual([note(1)]);
  });

  it('delivers a JSON round-tripped copy, so values JSON cannot carry arrive changed', async () => {
    const [left, right] = createTransportPair();
    const { received } = listen(right);
    const params = { when: new Date(0), gone: undefined, set: new Set([1]) };
    left.send({ jsonrpc: '2.0', method: 'demo.note', params });
    await tick();
    expect(received).toEqual([{ jsonrpc: '2.0', method: 'demo.note', params: { when: '1970-01-01T00:00:00.000Z', set: {} } }]);
  });

  it('throws a TypeError from send for a message JSON cannot serialize', () => {
    const [left] = createTransportPair();
    expect(() => left.send({ jsonrpc: '2.0', method: 'demo.note', params: { big: 1n } })).toThrow(TypeError);
  });

  it('holds messages that arrive before start and delivers them on start', async () => {
    const [left, right] = createTransportPair();
    left.send(note(1));
    left.send(note(2));
    await tick();
    const { received } = listen(right);
    expect(received).toEqual([note(1), note(2)]);
  });

  it('closes the other end with reason "peer closed" after it read what was already sent', async () => {
    const [left, right] = createTransportPair();
    const order: string[] = [];
    right.start({ onMessage: () => order.push('message'), onClose: (reason) => order.push(reason) });
    left.send(note(1));
    left.close();
    await tick();
    expect(order).toEqual(['message', 'peer closed']);
  });

  it('does not report its own close to the side that closed', async () => {
    const [left, right] = createTransportPair();
    const onClose = vi.fn();
    left.start({ onMessage: () => {}, onClose });
    listen(right);
    left.close();
    left.close();
    await tick();
    expect(onClose).not.toHaveBeenCalled();
  });

  it('drops messages sent after close', async () => {
    const [left, right] = createTransportPair();
    const { received } = listen(right);
    left.close();
    left.send(note(1));
    right.send(note(2));
    await tick();
    expect(received).toEqual([]);
  });
});
