/** The exit code of a command ended by Ctrl-C, as shells report a SIGINT death (128 + 2). */
export const INTERRUPTED_EXIT_CODE = 130;

/** Ctrl-C as an AbortSignal, for the length of one command. */
export interface InterruptSignal {
  /** Aborted by the first Ctrl-C (SIGINT). */
  readonly signal: AbortSignal;
  /** Gives SIGINT back its default behaviour. Idempotent. */
  dispose(): void;
}

/** Catches SIGINT until dispose(): the first aborts `signal`, later ones are ignored while the command ends. */
export function interruptSignal(): InterruptSignal {
  const controller = new AbortController();
  const onSigint = () => {
    if (!controller.signal.aborted) controller.abort(new Error('interrupted (Ctrl-C)'));
  };
  process.on('SIGINT', onSigint);
  return {
    signal: controller.signal,
    dispose: () => process.off('SIGINT', onSigint),
  };
}
