/**
 * The kernel's own waits, in ms: one place for every default the kernel core picks itself.
 * Limits a plugin's manifest can set (start, call, health, shutdown) default in the SDK's
 * `Defaults`, which plugins.json's schema shares.
 */
export const KernelTimeouts = {
  /** How long a plugin may take to apply a config in place (`configure`). */
  configure: 10_000,
  /** How long stdout is still read after the plugin exited: its last answers may be in the pipe. */
  stdoutDrain: 250,
  /** After a failed handshake, how long to wait for an exit that explains it (a crash). */
  handshakeExit: 200,
  /** Telemetry sampling period. */
  telemetryInterval: 1000,
} as const;
