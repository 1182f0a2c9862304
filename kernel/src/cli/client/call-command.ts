import { ExitCode, exitCodeHelp } from '../exit-codes.ts';
import { ClientError, UsageError, reportFailure } from './client-errors.ts';
import { clientOptionsHelp, parseClientArgs, resolveClientOptions } from './client-options.ts';
import { formatJson, textOfChunk, writeOut } from './client-output.ts';
import { GatewayClient } from './gateway-client.ts';
import { INTERRUPTED_EXIT_CODE, interruptSignal } from './interrupt-signal.ts';

/** --help of `cyberstudio call`. */
export const callHelp = `Usage: cyberstudio call <capability> [params-json | -] [options]

Calls a capability on the running kernel and prints its result. Params are a JSON object:
the second argument, or stdin with '-' (default: {}).

Over the gateway's WebSocket (/ws) the progress chunks of a streaming capability print as
they arrive, one compact JSON line each; a chunk that is a string or { "text": string } prints
raw, without a newline, so token streams read as text (with --json every chunk is a JSON
line). The result follows, indented (one line with --json: the last line is the result).
Ctrl-C cancels the call ($/cancelRequest) and exits 130.

Options:
  --timeout <seconds>  cancel the call and fail if it has not finished by then
  --no-stream          one request over POST /rpc instead of the WebSocket: no progress
${clientOptionsHelp}

Examples:
  cyberstudio call hello.echo '{"hello":"world"}'
  echo '{"count":3}' | cyberstudio call hello.stream -
  cyberstudio call llm.chat '{"messages":[{"role":"user","content":"hi"}]}'

${exitCodeHelp}
  130  interrupted by Ctrl-C (the call was cancelled)`;

/** Calls one capability; resolves with the exit code. */
export async function callCommand(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseClientArgs(argv, { timeout: { type: 'string' }, 'no-stream': { type: 'boolean', default: false } });
    if (values.help) {
      writeOut(`${callHelp}\n`);
      return ExitCode.Ok;
    }
    const options = resolveClientOptions(values);
    json = options.json;
    const [capability, paramsText, ...extra] = positionals;
    if (capability === undefined) throw new UsageError('missing <capability>, e.g. cyberstudio call hello.echo \'{"hello":"world"}\'');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' (params are one JSON argument; quote it)`);
    const timeoutMs = parseTimeout(values.timeout);
    const params = parseParams(paramsText === '-' ? await readStdin() : paramsText);
    const client = new GatewayClient(options);
    const run = values['no-stream'] ? callOverHttp : callOverSocket;
    return await run(client, capability, params, { json, timeoutMs });
  } catch (error) {
    return reportFailure(error, json, 'call');
  }
}

interface CallSettings {
  json: boolean;
  timeoutMs: number | undefined;
}

/** The call over POST /rpc: aborting drops the connection, which cancels the call in the kernel. */
async function callOverHttp(client: GatewayClient, capability: string, params: Record<string, unknown>, settings: CallSettings): Promise<number> {
  const interrupt = interruptSignal();
  const signals = [interrupt.signal, ...(settings.timeoutMs === undefined ? [] : [AbortSignal.timeout(settings.timeoutMs)])];
  try {
    const result = await client.call(capability, params, { signal: AbortSignal.any(signals) });
    writeOut(`${formatJson(result, settings.json)}\n`);
    return ExitCode.Ok;
  } catch (error) {
    if (interrupt.signal.aborted) return interrupted();
    if (isTimeout(error)) throw timedOut(settings.timeoutMs!);
    throw error;
  } finally {
    interrupt.dispose();
  }
}

/** The call over /ws: progress streams; Ctrl-C or --timeout sends $/cancelRequest, then the socket closes. */
async function callOverSocket(client: GatewayClient, capability: string, params: Record<string, unknown>, settings: CallSettings): Promise<number> {
  const interrupt = interruptSignal();
  const timeout = new AbortController();
  const timer = settings.timeoutMs === undefined ? undefined : setTimeout(() => timeout.abort(new Error('timeout')), settings.timeoutMs);
  const cancel = AbortSignal.any([interrupt.signal, timeout.signal]);
  const printer = new ChunkPrinter(settings.json);
  try {
    const socket = await client.openSocket({ signal: cancel });
    try {
      const result = await socket.request(capability, params, { signal: cancel, onProgress: (chunk) => printer.print(chunk) });
      printer.endLine();
      writeOut(`${formatJson(result, settings.json)}\n`);
      return ExitCode.Ok;
    } finally {
      await socket.close();
    }
  } catch (error) {
    printer.endLine();
    if (interrupt.signal.aborted) return interrupted();
    if (timeout.signal.aborted) throw timedOut(settings.timeoutMs!);
    throw error;
  } finally {
    clearTimeout(timer);
    interrupt.dispose();
  }
}

/** Prints progress chunks: raw text for text chunks (outside --json), else one compact JSON line each. */
class ChunkPrinter {
  readonly #json: boolean;
  #midLine = false;

  constructor(json: boolean) {
    this.#json = json;
  }

  print(chunk: unknown): void {
    const text = this.#json ? undefined : textOfChunk(chunk);
    if (text !== undefined) {
      writeOut(text);
      if (text.length > 0) this.#midLine = !text.endsWith('\n');
      return;
    }
    this.endLine();
    writeOut(`${formatJson(chunk, true)}\n`);
  }

  /** Ends raw text that stopped mid-line, so what follows starts on its own line. */
  endLine(): void {
    if (this.#midLine) writeOut('\n');
    this.#midLine = false;
  }
}

/** Params text as a JSON object; `undefined` (no argument) is `{}`. */
export function parseParams(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`params are not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`params must be a JSON object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

function parseTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds, not '${text}'`);
  return Math.ceil(seconds * 1000);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function interrupted(): number {
  process.stderr.write('cyberstudio: interrupted; the call was cancelled\n');
  return INTERRUPTED_EXIT_CODE;
}

function timedOut(timeoutMs: number): ClientError {
  return new ClientError(ExitCode.Failure, `no answer within ${timeoutMs / 1000} s (--timeout); the call was cancelled`);
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'TimeoutError';
}
