/** One open WebSocket of the gateway, as `kernel.connections` lists it; never a credential. */
export interface ConnectionInfo {
  /** Which endpoint: `/ws` (JSON-RPC) or `/ws/plugins` (log, telemetry and status streams). */
  endpoint: string;
  /** The caller resolved when the socket opened. */
  userId: string;
  name: string | null;
  roles: string[];
  /** The auth plugin's session the socket signed in with, or null (an API key, or no sign-in). */
  sessionId: string | null;
  /** The API key the socket signed in with, or null. */
  keyId: string | null;
  /** Epoch ms. */
  openedAt: number;
}

/** Open sockets counted in total and per endpoint, as `kernel.status` reports them. */
export interface ConnectionCounts {
  open: number;
  byEndpoint: Record<string, number>;
}

/**
 * The gateway's open WebSockets, kept on the kernel so `kernel.status` and `kernel.connections`
 * can answer without knowing the gateway: each endpoint adds a socket when it opens and removes
 * it when it closes. A kernel without a gateway simply has none.
 */
export class OpenConnections {
  readonly #open = new Set<ConnectionInfo>();

  /** Records an open socket; the answer removes it again (safe to call twice). */
  add(connection: ConnectionInfo): () => void {
    const entry = { ...connection, roles: [...connection.roles] };
    this.#open.add(entry);
    return () => void this.#open.delete(entry);
  }

  /** Every open socket, oldest first (copies: callers cannot change the registry). */
  list(): ConnectionInfo[] {
    return [...this.#open].sort((a, b) => a.openedAt - b.openedAt).map((entry) => ({ ...entry, roles: [...entry.roles] }));
  }

  /** How many sockets are open, in total and per endpoint. */
  counts(): ConnectionCounts {
    const byEndpoint: Record<string, number> = {};
    for (const { endpoint } of this.#open) byEndpoint[endpoint] = (byEndpoint[endpoint] ?? 0) + 1;
    return { open: this.#open.size, byEndpoint };
  }
}
