import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { ExitCode } from '../exit-codes.ts';
import { ClientError, UsageError } from './client-errors.ts';

/** Ctrl-C at a password prompt: the command ends without changing anything. */
export class PromptInterrupted extends Error {
  constructor() {
    super('interrupted at the password prompt; nothing was changed');
    this.name = 'PromptInterrupted';
  }
}

/**
 * The password piped on stdin (`--password-stdin`): everything up to end of input, without
 * the line break(s) `echo` and here-strings add. Throws UsageError when it is empty.
 */
export async function readPipedPassword(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const password = Buffer.concat(chunks).toString('utf8').replace(/[\r\n]+$/, '');
  if (password === '') throw new UsageError('--password-stdin read an empty password from stdin');
  return password;
}

/**
 * Asks for a new password twice on the terminal, without echo. With `optional`, an empty
 * first answer resolves with undefined (the account gets no password). Throws ClientError
 * when the answers differ or a required one is empty, and PromptInterrupted on Ctrl-C.
 */
export async function promptNewPassword(username: string, { optional }: { optional: boolean }): Promise<string | undefined> {
  const prompt = new HiddenPrompt(process.stdin, process.stderr);
  try {
    const first = await prompt.ask(`Password for ${username}${optional ? ' (empty: none, API keys only)' : ''}: `);
    if (first === '') {
      if (optional) return undefined;
      throw new ClientError(ExitCode.Failure, 'no password was typed; nothing was changed');
    }
    const again = await prompt.ask('Repeat the password: ');
    if (again !== first) throw new ClientError(ExitCode.Failure, 'the two passwords differ; nothing was changed');
    return first;
  } finally {
    prompt.close();
  }
}

const END = Symbol('end of input');
const INTERRUPT = Symbol('Ctrl-C');

/**
 * Lines read from a terminal whose echo goes nowhere. readline does the line editing
 * (backspace, multi-byte input, raw mode on and off); lines typed ahead of a question are
 * queued, not lost.
 */
class HiddenPrompt {
  readonly #readline: Interface;
  readonly #output: NodeJS.WritableStream;
  readonly #queue: (string | typeof END | typeof INTERRUPT)[] = [];
  #waiter: (() => void) | undefined;

  constructor(input: NodeJS.ReadStream, output: NodeJS.WritableStream) {
    this.#output = output;
    const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
    this.#readline = createInterface({ input, output: silent, terminal: true });
    this.#readline.on('line', (line: string) => this.#push(line));
    this.#readline.on('SIGINT', () => this.#push(INTERRUPT));
    this.#readline.on('close', () => this.#push(END));
  }

  /** Prints `question` and resolves with the next line typed. */
  async ask(question: string): Promise<string> {
    this.#output.write(question);
    while (this.#queue.length === 0) await new Promise<void>((resolve) => (this.#waiter = resolve));
    const line = this.#queue.shift()!;
    this.#output.write('\n');
    if (line === INTERRUPT) throw new PromptInterrupted();
    if (line === END) throw new ClientError(ExitCode.Failure, 'no password was typed (end of input); nothing was changed');
    return line;
  }

  /** Gives the terminal back (echo and cooked mode). Idempotent. */
  close(): void {
    this.#readline.close();
  }

  #push(line: string | typeof END | typeof INTERRUPT): void {
    this.#queue.push(line);
    this.#waiter?.();
    this.#waiter = undefined;
  }
}
