/** Something the benchmark calls with the echo payload: a child over stdio, or a kernel route. */
export interface CallTarget {
  /** Sends `params`; resolves with the reply's result (the echoed params). */
  echo(params: { msg: string }): Promise<unknown>;
  /** The process that answers, for its resident memory. */
  readonly pid: number | undefined;
  /** Ends the target and waits for its process to exit. */
  close(): Promise<void>;
}
