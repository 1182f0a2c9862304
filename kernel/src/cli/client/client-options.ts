import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './client-errors.ts';

/** The environment variable naming the gateway URL of client commands. */
export const GATEWAY_URL_ENV = 'CYBERSTUDIO_URL';
/** The environment variable holding the API key client commands send. */
export const API_KEY_ENV = 'CYBERSTUDIO_API_KEY';
/** The environment variable naming the operator key file (default: <CYBERSTUDIO_DATA or ./data>/plugins/auth/operator-key). */
export const KEY_FILE_ENV = 'CYBERSTUDIO_KEY_FILE';
/** The gateway port when neither --url, CYBERSTUDIO_URL nor CYBERSTUDIO_PORT says otherwise. */
export const DEFAULT_GATEWAY_PORT = 6813;

/** Where and how a client command talks to the kernel. */
export interface ClientOptions {
  /** The gateway's base URL (http: or https:). */
  url: URL;
  /** Sent as `Authorization: Bearer <key>` when set. */
  key: string | undefined;
  /** Machine output: compact JSON on stdout, JSON errors on stderr. */
  json: boolean;
}

/** The options every client command accepts, in parseArgs' shape. */
export const clientOptionSpec = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The --help lines of the common options. */
export const clientOptionsHelp = `Common options:
  --url <url>         the gateway (default: env ${GATEWAY_URL_ENV}, else
                      http://<CYBERSTUDIO_HOST or 127.0.0.1>:<CYBERSTUDIO_PORT or ${DEFAULT_GATEWAY_PORT}>)
  --key <key>         API key, sent as "Authorization: Bearer <key>" (default: env ${API_KEY_ENV},
                      else, for a gateway on this machine, the operator key the auth plugin wrote:
                      env ${KEY_FILE_ENV}, else <CYBERSTUDIO_DATA or ./data>/plugins/auth/operator-key)
  --json              machine output: compact JSON on stdout, errors as JSON on stderr
  -h, --help          show this help`;

/** parseArgs over the common options plus `extra`; unknown flags throw ERR_PARSE_ARGS_*. */
export function parseClientArgs<const Extra extends NonNullable<ParseArgsConfig['options']>>(argv: string[], extra: Extra) {
  return parseArgs({ args: argv, options: { ...clientOptionSpec, ...extra }, allowPositionals: true, strict: true });
}

/** The client options from parsed flags, falling back to the environment; throws UsageError for a bad URL. */
export function resolveClientOptions(values: { url?: string; key?: string; json?: boolean }, env: NodeJS.ProcessEnv = process.env): ClientOptions {
  const text = values.url ?? nonEmpty(env[GATEWAY_URL_ENV]) ?? defaultUrl(env);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url must be an http:// or https:// URL, not '${text}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be an http:// or https:// URL, not '${text}'`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return { url, key: values.key ?? nonEmpty(env[API_KEY_ENV]) ?? operatorKey(url, env), json: values.json ?? false };
}

/**
 * The admin key the auth plugin wrote for the operator of a kernel on this machine; undefined
 * when there is none or the gateway is not on loopback (the local key must never travel).
 */
export function operatorKey(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host !== 'localhost' && host !== '::1' && !host.startsWith('127.')) return undefined;
  const file = nonEmpty(env[KEY_FILE_ENV]) ?? join(nonEmpty(env.CYBERSTUDIO_DATA) ?? 'data', 'plugins', 'auth', 'operator-key');
  try {
    return nonEmpty(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The URL of `path` (e.g. 'rpc', 'ws') under the gateway's base, as the given scheme family. */
export function endpoint(base: URL, path: string, scheme: 'http' | 'ws' = 'http'): URL {
  const url = new URL(path, base);
  if (scheme === 'ws') url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

function defaultUrl(env: NodeJS.ProcessEnv): string {
  const host = connectableHost(nonEmpty(env.CYBERSTUDIO_HOST) ?? '127.0.0.1');
  const port = nonEmpty(env.CYBERSTUDIO_PORT) ?? String(DEFAULT_GATEWAY_PORT);
  return `http://${host}:${port}`;
}

/** A wildcard bind address is where the kernel listens, not where to connect: use loopback instead. */
function connectableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
