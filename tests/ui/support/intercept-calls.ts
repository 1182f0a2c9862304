import type { Page, WebSocketRoute } from 'playwright-core';

/** A JSON-RPC message the studio sent on its /ws (a call when it has an `id`). */
export interface SentMessage {
  id?: number | string;
  method: string;
  params?: unknown;
}

/** What happens to one message: it passes now (undefined), is answered with this error, or passes once `after` settles. */
export type Verdict = undefined | { error: { code: number; message: string; data?: unknown } } | { after: Promise<unknown> };

/** A test's hold on the page's socket. */
export interface Interception {
  /** Closes the page's socket as a lost connection would; the studio reconnects, through the route again. */
  drop(): void;
  /** Resolves once the kernel's answer to call `id` has been handed to the page. */
  answered(id: number | string): Promise<void>;
}

/**
 * Routes the page's `/ws` through the test: `decide` sees each message the studio sends and may
 * answer a call with an error in the kernel's place or hold it back; everything else passes as
 * it is, both ways. Install it before the page opens the socket (before signing in).
 */
export async function interceptCalls(page: Page, decide: (message: SentMessage) => Verdict): Promise<Interception> {
  let current: { socket: WebSocketRoute; server: WebSocketRoute } | undefined;
  const answers = new Set<number | string>();
  const waiting = new Map<number | string, () => void>();
  const delivered = (message: string | Buffer) => {
    if (typeof message !== 'string') return;
    const parsed = JSON.parse(message) as { id?: number | string } | { id?: number | string }[];
    for (const { id } of Array.isArray(parsed) ? parsed : [parsed]) {
      if (id === undefined) continue;
      answers.add(id);
      waiting.get(id)?.();
    }
  };

  await page.routeWebSocket(/\/ws$/, (socket) => {
    const server = socket.connectToServer();
    current = { socket, server };
    const pass = (message: string | Buffer) => {
      try {
        server.send(message);
      } catch {
        // The socket closed while the message was held: it is lost, as it would be on the wire.
      }
    };
    socket.onMessage((message) => {
      const sent = typeof message === 'string' ? (JSON.parse(message) as SentMessage) : undefined;
      const verdict = sent === undefined ? undefined : decide(sent);
      if (verdict === undefined) pass(message);
      else if ('error' in verdict) socket.send(JSON.stringify({ jsonrpc: '2.0', id: sent!.id, error: verdict.error }));
      else void verdict.after.then(() => pass(message), () => pass(message));
    });
    server.onMessage((message) => {
      socket.send(message);
      delivered(message);
    });
  });

  return {
    drop() {
      void current?.server.close();
      void current?.socket.close({ code: 4000, reason: 'dropped by the test' });
    },
    answered(id) {
      if (answers.has(id)) return Promise.resolve();
      return new Promise((resolve) => waiting.set(id, resolve));
    },
  };
}
