import { fileURLToPath } from 'node:url';
import type { CallTarget } from './call-target.ts';
import { spawnNdjsonChild } from './ndjson-child.ts';


interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** The no-library children: `raw-echo.mjs` echoes each line; `raw-relay.mjs` routes it through a second child that does. */
export type RawChild = 'raw-echo.mjs' | 'raw-relay.mjs';

/**
 * The baseline: no library on either side. Each call stringifies a JSON-RPC-shaped request, the
 * child echoes the line, and the reply is parsed and matched by id; the result is its params.
 */
export function openRawTarget(script: RawChild = 'raw-echo.mjs'): CallTarget {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  const child = spawnNdjsonChild(
    fileURLToPath(new URL(`../children/${script}`, import.meta.url)),
    (line) => {
      const reply = JSON.parse(line) as { id: number; params: unknown };
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      pending.delete(reply.id);
      waiter.resolve(reply.params);
    },
    (error) => {
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    },
  );
  return {
    pid: child.pid,
    echo(params) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'echo', params }));
      });
    },
    close: () => child.close(),
  };
}
