import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TickCork } from '../../kernel/src/gateway/tick-cork.ts';
import { gatewayPerTest } from './support/test-gateway.ts';
import { WsTestClient } from './support/ws-test-client.ts';

const open = gatewayPerTest();

/** A writable that records each write it is handed, as the list of chunks that write carried. */
function recordingStream(): { stream: Writable; writes: string[][] } {
  const writes: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()));
      done();
    },
  });
  return { stream, writes };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('TickCork', () => {
  it('lets everything written in one tick leave in one write, in order', async () => {
    const { stream, writes } = recordingStream();
    const cork = new TickCork(stream);
    for (let i = 0; i < 5; i++) {
      cork.hold();
      stream.write(`frame ${i};`);
    }
    // Writes made by microtasks of the same tick join the same write.
    await Promise.resolve();
    cork.hold();
    stream.write('late in the tick;');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual([['frame 0;', 'frame 1;', 'frame 2;', 'frame 3;', 'frame 4;', 'late in the tick;']]);
  });

  it('holds nothing past its tick: a later tick writes on its own', async () => {
    const { stream, writes } = recordingStream();
    const cork = new TickCork(stream);
    cork.hold();
    stream.write('first');
    await nextTurn();
    cork.hold();
    stream.write('second');
    await nextTurn();
    expect(writes).toEqual([['first'], ['second']]);
  });

  it('does nothing to a destroyed stream', async () => {
    const { stream, writes } = recordingStream();
    stream.destroy();
    new TickCork(stream).hold();
    expect(stream.writableCorked).toBe(0);
    await nextTurn();
    expect(writes).toEqual([]);
  });
});

describe('/ws write coalescing', () => {
  it('sends the frames a tick produces in one write of the gateway socket, every one delivered in order', async () => {
    const gateway = await open([]);
    const client = await WsTestClient.open(`${gateway.wsUrl}/ws`);
    const subscription = await client.subscribe({ topic: 'burst.*' });
    const port = Number(new URL(gateway.url).port);
    // Count the writes the gateway's side of the connection makes (net.Socket hands each to _writev or _write).
    let serverWrites = 0;
    const countServerWrite = (socket: Socket) => {
      if (socket.localPort === port) serverWrites += 1;
    };
    const writev = Socket.prototype._writev!;
    const write = Socket.prototype._write;
    vi.spyOn(Socket.prototype, '_writev').mockImplementation(function (this: Socket, ...args) {
      countServerWrite(this);
      return writev.apply(this, args);
    });
    vi.spyOn(Socket.prototype, '_write').mockImplementation(function (this: Socket, ...args) {
      countServerWrite(this);
      return write.apply(this, args);
    });

    for (let n = 0; n < 100; n++) gateway.kernel.publish('burst.tick', { n }, 'test');
    await client.waitUntil(() => (client.events(subscription).length === 100 ? true : undefined), '100 events');

    expect(client.events(subscription).map((event) => (event.data as { n: number }).n)).toEqual([...Array(100).keys()]);
    // Uncorked, each of the 100 frames is a write of its own.
    expect(serverWrites).toBeLessThanOrEqual(2);
    await client.close();
  });
});
