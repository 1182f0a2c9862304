import { BusError, ErrorCode } from '@cyberstudio/sdk';

/** `data.reason` of an UpstreamFailed error raised by a model download. */
export type DownloadFailure =
  | 'offline'
  | 'connection-failed'
  | 'interrupted'
  | 'timeout'
  | 'http-status'
  | 'too-many-redirects'
  | 'size-mismatch'
  | 'checksum-mismatch'
  | 'not-gguf';

/** Socket and DNS error codes that mean the host cannot be reached at all, so retrying now is pointless. */
const UNREACHABLE_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EHOSTDOWN',
  'ETIMEDOUT', 'CONNECT_TIMEOUT',
]);

/** Code of the local error a silent socket is destroyed with, so it is told apart from a broken connection. */
export const STALLED = 'DOWNLOAD_STALLED';

/** UpstreamFailed (1003) about `url`'s host; `data` is `{ upstream, reason, ...extra }`. */
export function upstreamFailed(url: URL, reason: DownloadFailure, message: string, extra: Record<string, unknown> = {}): BusError {
  return new BusError(ErrorCode.UpstreamFailed, message, { upstream: url.host, reason, ...extra });
}

/** True for an error of a socket that never connected because the host is unreachable (DNS, refused, no route, connect timeout). */
export function isUnreachable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && UNREACHABLE_CODES.has(code);
}

/** The failure of a request that got no answer: 'offline' when the host cannot be reached, else 'connection-failed'. */
export function requestFailed(url: URL, error: unknown, modelsDir: string): BusError {
  const detail = describe(error);
  if ((error as NodeJS.ErrnoException | undefined)?.code === STALLED) return upstreamFailed(url, 'timeout', `${url.host} did not answer: ${detail}`);
  if (isUnreachable(error)) {
    return upstreamFailed(
      url,
      'offline',
      `cannot reach ${url.host}: ${detail}; this machine may be offline; copy the .gguf file into ${modelsDir} instead`,
      { code: (error as NodeJS.ErrnoException).code },
    );
  }
  return upstreamFailed(url, 'connection-failed', `the request to ${url.host} failed before an answer came: ${detail}`, { code: (error as NodeJS.ErrnoException).code ?? null });
}

/** An HTTP status that is neither a success nor a redirect, with a hint for the statuses people meet. */
export function httpStatusFailed(url: URL, status: number, statusText: string | undefined, huggingFace: boolean): BusError {
  const hints: Record<number, string> = {
    401: huggingFace
      ? 'the repository is gated or private: accept its terms on the Hub and give llmserver a token (config huggingFaceTokenEnv names the environment variable, default HF_TOKEN, which plugins.json envAllow must pass)'
      : 'the server wants credentials',
    403: huggingFace
      ? 'access is refused: for a gated repository, accept its terms on the Hub with the account of the token'
      : 'access is refused',
    404: huggingFace ? 'check the owner, repository, revision and file path (the file list is on the repository page)' : 'check the URL',
    416: 'the server refused the byte range',
  };
  const hint = hints[status] ?? (status >= 500 ? 'the server has a problem: try again later' : 'the server refused the request');
  return upstreamFailed(url, 'http-status', `${url.host} answered ${status}${statusText ? ` ${statusText}` : ''} for ${url.pathname}: ${hint}`, { status });
}

/** The connection broke after some bytes arrived; the partial file is kept for a resume. */
export function interrupted(url: URL, error: unknown, downloadedBytes: number, totalBytes: number | null): BusError {
  const of = totalBytes === null ? '' : ` of ${totalBytes}`;
  return upstreamFailed(url, 'interrupted', `the download from ${url.host} broke off after ${downloadedBytes}${of} bytes (${describe(error)}); call llm.models.download again to resume`, {
    downloadedBytes, totalBytes,
  });
}

/** The message of any thrown value, with its code when it has one. */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
}
