/** The exit code of a command ended by Ctrl-C, as shells report a SIGINT death (128 + 2). */
export const INTERRUPTED_EXIT_CODE = 130;

/** Ctrl-C as an AbortSignal, for the length of one command. */
export interface InterruptSignal {
  /** Aborted by the first Ctrl-C (SIGINT). */
  readonly signal: AbortSignal;
  /** Resolves on the second Ctrl-C: the user no longer wants to wait for a clean end. */
  readonly again: Promise<void>;
  /** Gives SIGINT back its default behaviour. Idempotent. */
  dispose(): void;
}

/** Catches SIGINT until dispose(): the first aborts `signal`, the second resolves `again`. */
export function interruptSignal(): InterruptSignal {
  const controller = new AbortController();
  let second!: () => void;
  const again = new Promise<void>((resolve) => (second = resolve));
  const onSigint = () => {
    if (controller.signal.aborted) second();
    else controller.abort(new Error('interrupted (Ctrl-C)'));
  };
  process.on('SIGINT', onSigint);
  return {
    signal: controller.signal,
    again,
    dispose: () => process.off('SIGINT', onSigint),
  };
}
