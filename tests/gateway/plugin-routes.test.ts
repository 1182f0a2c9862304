import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../../kernel/src/registry/index.ts';
import { gatewayPerTest } from './support/test-gateway.ts';
import { webPlugin } from './support/web-fixture.ts';

const open = gatewayPerTest();

const routes = {
  'GET /items/:id': 'web.echo',
  'POST /items/:id/notes': 'web.echo',
  'POST /respond': 'web.respond',
  'POST /stream': 'web.stream',
};

/** A gateway in front of the web fixture with `routes`; `gateway` is the plugins.json gateway section. */
const withRoutes = (gateway: Record<string, unknown> = {}) => open([webPlugin({ http: { routes } })], { gateway });

/** POSTs `body` as JSON. */
const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('plugin routes', () => {
  it('passes decoded path params, the query, the headers and the JSON body to the capability', async () => {
    const { url } = await withRoutes();
    const response = await postJson(`${url}/items/a%20b/notes?tag=x&tag=y&one=1`, { text: 'hi' }, { 'x-custom': 'yes' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      method: 'POST',
      path: '/items/a%20b/notes',
      params: { id: 'a b' },
      query: { tag: ['x', 'y'], one: '1' },
      headers: { 'x-custom': 'yes', 'content-type': 'application/json' },
      body: { text: 'hi' },
    });
  });

  it('keeps credentials out of the headers the capability sees', async () => {
    const { url } = await withRoutes();
    const response = await fetch(`${url}/items/1`, { headers: { authorization: 'Bearer secret', cookie: 'session=secret', 'x-kept': '1' } });
    const { headers } = (await response.json()) as { headers: Record<string, string> };
    expect(headers['x-kept']).toBe('1');
    expect(headers).not.toHaveProperty('authorization');
    expect(headers).not.toHaveProperty('cookie');
  });

  it('gives a request without a body the body null', async () => {
    const { url } = await withRoutes();
    const response = await fetch(`${url}/items/7`);
    expect(await response.json()).toMatchObject({ method: 'GET', params: { id: '7' }, query: {}, body: null });
  });

  it('answers with the status and headers of _http and its body member', async () => {
    const { url } = await withRoutes();
    const response = await postJson(`${url}/respond`, { _http: { status: 201, headers: { 'x-made-by': 'web', location: '/items/9' } }, body: { created: 9 } });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-made-by')).toBe('web');
    expect(response.headers.get('location')).toBe('/items/9');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ created: 9 });
  });

  it('drops hop-by-hop headers a capability tries to set', async () => {
    const { url } = await withRoutes();
    const response = await postJson(`${url}/respond`, { _http: { headers: { upgrade: 'h2c', 'x-kept': 'yes' } }, body: { ok: true } });
    expect(response.status).toBe(200);
    expect(response.headers.get('upgrade')).toBeNull();
    expect(response.headers.get('x-kept')).toBe('yes');
  });

  it('answers 204 without a body when _http gives neither status nor body', async () => {
    const { url } = await withRoutes();
    const response = await postJson(`${url}/respond`, { _http: { headers: { 'x-done': '1' } } });
    expect(response.status).toBe(204);
    expect(response.headers.get('x-done')).toBe('1');
    expect(await response.text()).toBe('');
  });

  it('sends a string body under _http as text with the content type it names', async () => {
    const { url } = await withRoutes();
    const response = await postJson(`${url}/respond`, { _http: { headers: { 'content-type': 'text/html; charset=utf-8' } }, body: '<p>hi</p>' });
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toBe('<p>hi</p>');
  });

  it('sends a result without _http as the JSON body, even a bare string', async () => {
    const { url } = await withRoutes();
    const response = await postJson(`${url}/respond`, 'just text');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toBe('just text');
  });

  it('answers 502 when _http is malformed', async () => {
    const { url } = await withRoutes();
    const response = await postJson(`${url}/respond`, { _http: { status: 'ok' } });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { code: -32603, message: expect.stringContaining('_http.status') } });
  });

  it('answers a failing capability with the catalog status and the error body', async () => {
    const { url } = await withRoutes();
    const failing = await postJson(`${url}/stream`, { count: 1, failAfter: 0 });
    expect(failing.status).toBe(500);
    expect(await failing.json()).toMatchObject({ error: { code: 4200, message: 'the stream broke after 0 chunks', data: { index: 0 } } });
  });

  it('answers 415 to a body that is not JSON', async () => {
    const { url } = await withRoutes();
    const response = await fetch(`${url}/respond`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(response.status).toBe(415);
  });

  it('answers a path no route declares with 404, and another method on a declared path with 405 and Allow (no mount here)', async () => {
    const { url } = await withRoutes();
    expect((await fetch(`${url}/items`)).status).toBe(404);
    const wrongMethod = await fetch(`${url}/items/1`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it('answers 403 when the access policy does not let the caller call the route capability', async () => {
    const { url } = await withRoutes({ access: [{ roles: ['admin'], call: ['web.respond'] }] });
    const forbidden = await fetch(`${url}/items/1`);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: { code: -32008, name: 'Forbidden', data: { capability: 'web.echo' } } });
    expect((await postJson(`${url}/respond`, { ok: true })).status).toBe(200);
  });

  it('answers 401 to a request without a credential when gateway.auth is configured', async () => {
    const { url } = await withRoutes({ auth: { capability: 'web.respond' } });
    const response = await fetch(`${url}/items/1`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('labels request metrics with the route pattern, not the raw path', async () => {
    const { url, gateway } = await withRoutes();
    await fetch(`${url}/items/secret-id-123`);
    const { body } = await gateway.context.metrics.render();
    expect(body).toContain('route="GET /items/:id"');
    expect(body).not.toContain('secret-id-123');
  });

  it('serves the routes of a reloaded registry', async () => {
    const test = await withRoutes();
    expect((await fetch(`${test.url}/added/1`)).status).toBe(404);
    const document = { plugins: [webPlugin({ http: { routes: { ...routes, 'GET /added/:n': 'web.echo' } } })], gateway: { port: 0 } };
    await test.kernel.reload(parseRegistry(document, { file: test.registryFile, baseDir: test.dir }));
    const response = await fetch(`${test.url}/added/1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ params: { n: '1' } });
  });
});
