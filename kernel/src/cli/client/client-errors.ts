import { BusError, ErrorCode, errorName } from '@cyberstudio/sdk';
import { ExitCode } from '../exit-codes.ts';

/**
 * A client command's local failure, never sent anywhere: the message to print, an optional
 * hint line, and the exit code it ends the command with.
 */
export class ClientError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(exitCode: ExitCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ClientError';
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** A bad flag, argument or params text: exit 2 with a pointer to the command's --help. */
export class UsageError extends ClientError {
  constructor(message: string) {
    super(ExitCode.Usage, message);
    this.name = 'UsageError';
  }
}

/** The hint printed under an Unauthenticated (401) or Forbidden (403) answer. */
export function authHint(code: number): string {
  return code === ErrorCode.Unauthenticated
    ? 'hint: pass an API key with --key <key> or the CYBERSTUDIO_API_KEY environment variable'
    : 'hint: the API key in use (--key / CYBERSTUDIO_API_KEY) lacks the role this needs; use a key that has it';
}

/** The failure for a gateway nobody answers at. */
export function kernelUnreachable(url: URL, cause: unknown): ClientError {
  return new ClientError(ExitCode.KernelUnreachable, `no kernel answering at ${displayUrl(url)} (start one with: npm start)`, { cause });
}

/** `http://host:port` without a trailing slash, as users type it. */
export function displayUrl(url: URL): string {
  return url.href.replace(/\/$/, '');
}

/** True for errors that mean nothing listens at (or routes to) the address, as opposed to a failure mid-answer. */
export function isConnectFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    const code = (current as NodeJS.ErrnoException).code;
    if (code !== undefined && CONNECT_FAILURES.has(code)) return true;
    for (const inner of (current as { errors?: unknown[] }).errors ?? []) if (isConnectFailure(inner)) return true;
  }
  return false;
}

const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Prints `error` on stderr and returns the exit code it ends the command with. A BusError
 * prints `cyberstudio: <message> [<Name> <code>]` and its data when the message does not
 * already say it all; with `json` it prints `{"error":{code,name,message,data}}` instead.
 */
export function reportFailure(error: unknown, json: boolean, helpCommand?: string): ExitCode {
  if (error instanceof BusError) {
    const name = errorName(error.code);
    if (json) {
      process.stderr.write(`${JSON.stringify({ error: { code: error.code, name, message: error.message, data: error.data } })}\n`);
    } else {
      process.stderr.write(`cyberstudio: ${error.message} [${name} ${error.code}]\n`);
      if (dataIsUseful(error.data)) process.stderr.write(`  data: ${JSON.stringify(error.data)}\n`);
    }
    if (concernsTheKey(error)) process.stderr.write(`${authHint(error.code)}\n`);
    return ExitCode.Failure;
  }
  if (error instanceof ClientError) {
    process.stderr.write(`cyberstudio: ${error.message}\n`);
    if (error.hint) process.stderr.write(`${error.hint}\n`);
    if (error instanceof UsageError && helpCommand) process.stderr.write(`Run 'cyberstudio ${helpCommand} --help' for usage.\n`);
    return error.exitCode;
  }
  if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    return reportFailure(new UsageError((error as Error).message), json, helpCommand);
  }
  process.stderr.write(`cyberstudio: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.Failure;
}

/** True for Unauthenticated, and for Forbidden aimed at this client's user rather than at a plugin further down the call. */
function concernsTheKey(error: BusError): boolean {
  if (error.code === ErrorCode.Unauthenticated) return true;
  return error.code === ErrorCode.Forbidden && (error.data as { caller?: { kind?: unknown } } | undefined)?.caller?.kind !== 'plugin';
}

/** Data that only repeats what the message names (the capability, plugin or method) is left out. */
function dataIsUseful(data: unknown): boolean {
  if (data === undefined || data === null) return false;
  if (typeof data !== 'object' || Array.isArray(data)) return true;
  return Object.keys(data).some((key) => !REPEATED_IN_MESSAGE.has(key));
}

const REPEATED_IN_MESSAGE = new Set(['capability', 'plugin', 'method']);
