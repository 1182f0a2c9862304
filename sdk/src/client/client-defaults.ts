/** The client's default waits and reconnect backoff; one place for every default. */
export const ClientDefaults = {
  /** How long close() waits for the server's close frame before dropping the connection. */
  closeGraceMs: 1000,
  /** The first reconnect delay; each further attempt doubles it, with jitter. */
  firstRetryMs: 500,
  /** The longest reconnect delay. */
  maxRetryMs: 30_000,
  /** How long a call made while disconnected waits for the socket before it fails. */
  connectWaitMs: 5_000,
} as const;
