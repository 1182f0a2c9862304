import { createHash } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A file the fake host serves, and how it misbehaves. */
export interface HostedFile {
  readonly bytes: Buffer;
  /** Hub files: `x-linked-etag` (unquoted); default the sha256 of `bytes`, null leaves the header out. */
  readonly linkedEtag?: string | null;
  /** Hub files: `x-linked-size`; default the length of `bytes`, null leaves the header out. */
  readonly linkedSize?: number | null;
  /** The first answer sends this many body bytes, then the connection is destroyed. */
  readonly cutAfter?: number;
  /** Range requests get the whole file with 200. */
  readonly ignoreRange?: boolean;
  /** The first answer sends this many body bytes, then waits for `release()`. */
  readonly holdAfter?: number;
  /** Hub files: the resolve URL answers 401 unless `Authorization: Bearer <token>` comes with it. */
  readonly token?: string;
  /** Hub files: the redirect goes to this host's /cdn/ instead (another origin, as the Hub's CDN is). */
  readonly cdn?: FakeModelHost;
}

/** One request the host received. */
export interface SeenRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * A local HTTP server that behaves like the Hugging Face Hub for downloads: `/<owner>/<repo>/resolve/<rev>/<file>`
 * redirects to `/cdn/<key>` with `x-linked-etag` and `x-linked-size`, and files are served with ETag,
 * Range and If-Range, cut off mid-body or held on request.
 */
export class FakeModelHost {
  readonly requests: SeenRequest[] = [];
  readonly #server: http.Server;
  readonly #routes = new Map<string, (request: IncomingMessage, response: ServerResponse) => void>();
  readonly #held = new Set<() => void>();
  #cdnKeys = 0;

  private constructor(server: http.Server) {
    this.#server = server;
  }

  /** Starts a host on an ephemeral port of 127.0.0.1. */
  static async start(): Promise<FakeModelHost> {
    const server = http.createServer();
    const host = new FakeModelHost(server);
    server.on('request', (request, response) => host.#handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return host;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Serves `file` as the Hub would at `/<owner>/<repo>/resolve/<revision>/<path>`; resolves with the CDN path. */
  hub(owner: string, repo: string, revision: string, filePath: string, file: HostedFile): string {
    const cdnHost = file.cdn ?? this;
    const cdnPath = `/cdn/${++this.#cdnKeys}-${createHash('sha256').update(file.bytes).digest('hex').slice(0, 16)}`;
    cdnHost.#routes.set(cdnPath, cdnHost.#fileRoute(file));
    const linkedEtag = file.linkedEtag === undefined ? createHash('sha256').update(file.bytes).digest('hex') : file.linkedEtag;
    const linkedSize = file.linkedSize === undefined ? file.bytes.length : file.linkedSize;
    this.#routes.set(`/${owner}/${repo}/resolve/${encodeURIComponent(revision)}/${filePath}`, (request, response) => {
      if (file.token !== undefined && request.headers.authorization !== `Bearer ${file.token}`) {
        response.writeHead(401, { 'x-error-code': 'GatedRepo' }).end('Access to this repository is restricted.');
        return;
      }
      const headers: Record<string, string> = { location: `${cdnHost.url}${cdnPath}`, 'x-repo-commit': '0123456789abcdef0123456789abcdef01234567' };
      if (linkedEtag !== null) headers['x-linked-etag'] = `"${linkedEtag}"`;
      if (linkedSize !== null) headers['x-linked-size'] = String(linkedSize);
      response.writeHead(302, headers).end();
    });
    return cdnPath;
  }

  /** Serves `file` at `path` directly (no redirect, no Hub headers). */
  plain(path: string, file: HostedFile): void {
    this.#routes.set(path, this.#fileRoute(file));
  }

  /** Lets every held answer send the rest of its body. */
  release(): void {
    for (const resume of this.#held) resume();
    this.#held.clear();
  }

  /** Requests seen for `path`. */
  requestsFor(path: string): SeenRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    this.release();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0]!;
    this.requests.push({ path, headers: request.headers });
    const route = this.#routes.get(path);
    if (route) route(request, response);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
  }

  #fileRoute(file: HostedFile): (request: IncomingMessage, response: ServerResponse) => void {
    const etag = `"${createHash('sha1').update(file.bytes).digest('hex')}"`;
    let answers = 0;
    return (request, response) => {
      const first = answers++ === 0;
      const size = file.bytes.length;
      const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
      const ifRange = request.headers['if-range'];
      let start = 0;
      if (range && !file.ignoreRange && (ifRange === undefined || ifRange === etag)) {
        start = Number(range[1]);
        if (start >= size) {
          response.writeHead(416, { 'content-range': `bytes */${size}` }).end();
          return;
        }
        response.writeHead(206, { 'content-range': `bytes ${start}-${size - 1}/${size}`, 'content-length': size - start, etag, 'accept-ranges': 'bytes' });
      } else {
        response.writeHead(200, { 'content-length': size, etag, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' });
      }
      const body = file.bytes.subarray(start);
      if (first && file.cutAfter !== undefined) {
        response.write(body.subarray(0, file.cutAfter), () => response.socket?.destroy());
      } else if (first && file.holdAfter !== undefined) {
        response.write(body.subarray(0, file.holdAfter));
        this.#held.add(() => response.end(body.subarray(file.holdAfter)));
      } else {
        response.end(body);
      }
    };
  }
}
