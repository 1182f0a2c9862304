/** Exit codes of the `cyberstudio` CLI, documented in its --help and in README.md. */
export const ExitCode = {
  Ok: 0,
  /** The kernel failed while running, or a command failed. */
  Failure: 1,
  /** Unknown command or bad flags. */
  Usage: 2,
  /** plugins.json is missing or invalid. */
  RegistryInvalid: 3,
  /** The data directory cannot be created or written. */
  DataDirUnavailable: 4,
  /** The gateway cannot listen (port in use, bad address, or non-loopback without auth). */
  GatewayUnavailable: 5,
  /** A client command could not reach a running kernel. */
  KernelUnreachable: 6,
} as const;

/** One of the CLI's exit codes. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit-code table printed by every --help. */
export const exitCodeHelp = `Exit codes:
  0  success (the kernel stopped cleanly after Ctrl-C / SIGTERM)
  1  failure while running
  2  usage error (unknown command or flag)
  3  plugins.json missing or invalid
  4  data directory unavailable
  5  gateway cannot listen (port in use, bad address, non-loopback without auth)
  6  no running kernel answered at the gateway URL (client commands)`;
