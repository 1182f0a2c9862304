import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** A child process spoken to in newline-delimited lines over its stdin and stdout. */
export interface NdjsonChild {
  readonly pid: number | undefined;
  /** Writes `line` and a newline to the child's stdin. */
  send(line: string): void;
  /** Closes stdin, waits for the exit, and kills the child if it lingers. */
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 2000;

/**
 * Spawns `node script` with piped stdin/stdout (stderr inherited). `onLine` gets every stdout
 * line without its newline; `onFailure` gets an early exit or a broken pipe.
 */
export function spawnNdjsonChild(script: string, onLine: (line: string) => void, onFailure: (error: Error) => void): NdjsonChild {
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let closing = false;
  const exited = once(child, 'exit');
  child.once('exit', (code, signal) => {
    if (!closing) onFailure(new Error(`${script} exited early (code ${code}, signal ${signal})`));
  });
  child.stdin.on('error', (error) => {
    if (!closing) onFailure(error);
  });
  child.stdout.setEncoding('utf8');
  let partial = '';
  child.stdout.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) onLine(line);
  });
  return {
    pid: child.pid,
    send: (line) => void child.stdin.write(line + '\n'),
    async close() {
      closing = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
