import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IMMUTABLE_CACHE, REVALIDATE_CACHE, StaticSite } from '../src/static-site.ts';

const INDEX = '<!doctype html><title>studio</title><div id="root"></div>';

describe('StaticSite', () => {
  let parent: string;
  let dist: string;
  let server: Server;
  let url: string;

  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'cds-static-'));
    dist = join(parent, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), INDEX);
    await writeFile(join(dist, 'assets', 'index-Ab12Cd34.js'), 'console.log("app")');
    await writeFile(join(dist, 'assets', 'index-Ef56Gh78.css'), 'body{}');
    await writeFile(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(parent, 'secret.txt'), 'outside the build');
    const site = new StaticSite(dist);
    server = createServer((request, response) => void site.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(parent, { recursive: true, force: true });
  });

  it('serves index.html at the root, revalidated on every load, with the page security headers', async () => {
    const response = await fetch(url);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe(INDEX);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe(REVALIDATE_CACHE);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves a hashed asset with its content type, cached for a year as immutable', async () => {
    const script = await fetch(`${url}/assets/index-Ab12Cd34.js`);
    const style = await fetch(`${url}/assets/index-Ef56Gh78.css`);

    expect(await script.text()).toBe('console.log("app")');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe(IMMUTABLE_CACHE);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(style.headers.get('cache-control')).toBe(IMMUTABLE_CACHE);
  });

  it('serves an unhashed file with its content type, revalidated', async () => {
    const response = await fetch(`${url}/favicon.svg`);

    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(response.headers.get('cache-control')).toBe(REVALIDATE_CACHE);
  });

  it('answers a page path of the app with index.html, so the app can route it', async () => {
    const response = await fetch(`${url}/users/42?tab=keys`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toBe(INDEX);
  });

  it('answers a missing file with 404, never with the page', async () => {
    const asset = await fetch(`${url}/assets/index-gone.js`);
    const image = await fetch(`${url}/logo.png`);

    expect(asset.status).toBe(404);
    expect(asset.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(image.status).toBe(404);
  });

  it('answers 304 when the browser already has the current version', async () => {
    const first = await fetch(`${url}/assets/index-Ab12Cd34.js`);
    const etag = first.headers.get('etag')!;

    const again = await fetch(`${url}/assets/index-Ab12Cd34.js`, { headers: { 'if-none-match': etag } });

    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const response = await fetch(`${url}/assets/index-Ab12Cd34.js`, { method: 'HEAD' });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String('console.log("app")'.length));
    expect(await response.text()).toBe('');
  });

  it('refuses methods other than GET and HEAD with 405 and Allow', async () => {
    const response = await fetch(url, { method: 'POST', body: '{}' });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('serves nothing outside the build directory, even with encoded slashes', async () => {
    // Raw paths: fetch would normalise them before sending.
    const status = (path: string) =>
      new Promise<number>((resolve, reject) => {
        httpRequest(`${url}${path}`, { path }, (response) => {
          response.resume();
          resolve(response.statusCode!);
        }).on('error', reject).end();
      });

    expect(await status('/..%2fsecret.txt')).toBe(404);
    expect(await status('/%2e%2e%2fsecret.txt')).toBe(404);
    expect(await status('/assets/..%2f..%2fsecret.txt')).toBe(404);
  });

  it('answers 503 with a page naming the build command while the directory has no index.html', async () => {
    await rm(join(dist, 'index.html'));

    const response = await fetch(`${url}/users`);

    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const page = await response.text();
    expect(page).toContain('npm run build -w ui');
    expect(page).toContain(dist);
  });

  it('serves a build that appears while it runs, without a restart', async () => {
    await rm(join(dist, 'index.html'));
    expect((await fetch(url)).status).toBe(503);

    await writeFile(join(dist, 'index.html'), INDEX);

    expect((await fetch(url)).status).toBe(200);
  });
});
