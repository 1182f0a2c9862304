import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { contentTypeOf } from './content-types.ts';
import { missingBuildPage } from './missing-build-page.ts';

/** Cache-Control of vite's content-hashed files: their name changes whenever their bytes do. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** Cache-Control of everything else (index.html above all): always revalidate, so a new build shows at once. */
export const REVALIDATE_CACHE = 'no-cache';

/** Where vite puts the files it names by content hash. */
const HASHED_PREFIX = '/assets/';

// The studio loads only its own files and talks only to its own origin (the gateway).
const HTML_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

/**
 * Serves a single-page app's build directory: files with their content type, hashed assets
 * cached for good, any other path without a file extension answered with index.html (the app
 * routes it), a 404 for a missing file, and a 503 page that says how to build while the
 * directory has no index.html. The directory is looked at on every request, so a build made
 * while the server runs is served at once.
 */
export class StaticSite {
  readonly #root: string;

  /** `root`: the build directory (absolute, or relative to the working directory). */
  constructor(root: string) {
    this.#root = resolve(root);
  }

  /** The absolute build directory. */
  get root(): string {
    return this.#root;
  }

  /** True when the directory holds a build to serve (an index.html). */
  async built(): Promise<boolean> {
    return (await fileStats(join(this.#root, 'index.html'))) !== undefined;
  }

  /** Answers one request; never throws for a bad request (the answer says what was wrong). */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader('x-content-type-options', 'nosniff');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return this.#plain(response, 405, 'Method not allowed: the studio serves GET and HEAD.', { allow: 'GET, HEAD' });
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://studio').pathname);
    } catch {
      return this.#plain(response, 400, 'Bad request: the path is not valid percent-encoding.');
    }
    const index = await fileStats(join(this.#root, 'index.html'));
    if (!index) return this.#send(response, 503, missingBuildPage(this.#root), { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...HTML_HEADERS });

    const file = resolve(this.#root, `.${pathname}`);
    if (pathname.includes('\0') || (file !== this.#root && !file.startsWith(this.#root + sep))) {
      return this.#plain(response, 404, 'Not found.');
    }
    const stats = file === this.#root ? undefined : await fileStats(file);
    if (stats) return this.#file(request, response, file, stats, pathname.startsWith(HASHED_PREFIX) ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
    // A path with an extension asks for a file that is not there: a 404 keeps the browser from running HTML as a script.
    if (extname(pathname) !== '' || pathname.startsWith(HASHED_PREFIX)) return this.#plain(response, 404, `Not found: ${pathname}`);
    return this.#file(request, response, join(this.#root, 'index.html'), index, REVALIDATE_CACHE);
  }

  async #file(request: IncomingMessage, response: ServerResponse, file: string, stats: Stats, cacheControl: string): Promise<void> {
    const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    const type = contentTypeOf(file);
    const headers: Record<string, string> = { 'content-type': type, 'cache-control': cacheControl, etag, 'last-modified': stats.mtime.toUTCString() };
    if (type.startsWith('text/html')) Object.assign(headers, HTML_HEADERS);
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, headers);
      response.end();
      return;
    }
    response.writeHead(200, { ...headers, 'content-length': String(stats.size) });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    await pipeline(createReadStream(file), response).catch(() => response.destroy());
  }

  #plain(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    this.#send(response, status, `${text}\n`, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  }

  #send(response: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
    response.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    response.end(response.req.method === 'HEAD' ? undefined : body);
  }
}

/** The file's stats when `path` is a regular file, else undefined. */
async function fileStats(path: string): Promise<Stats | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}
