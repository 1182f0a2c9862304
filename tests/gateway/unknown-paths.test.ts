import { describe, expect, it } from 'vitest';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { rawRequest } from './support/raw-request.ts';
import { gatewayPerTest } from './support/test-gateway.ts';
import { webPlugin } from './support/web-fixture.ts';

const open = gatewayPerTest();

/** Echo, an OpenAI-style route and a plugin /api route on the web fixture, and the fixture mounted at the root as the studio is. */
const withStudio = () =>
  open([
    echoPlugin(),
    webPlugin({ http: { routes: { 'GET /v1/models': 'web.echo', 'POST /v1/chat/completions': 'web.echo', 'GET /api/models': 'web.echo' } } }),
    webPlugin({ name: 'studio', http: { mount: '/' } }),
  ]);

const openAiError = (code: string) => ({ error: { message: expect.any(String), type: 'invalid_request_error', code, param: null } });

describe('unknown paths', () => {
  it.each(['/v1/models/tiny-llama', '/v1/nothing/here', '/v1'])('answers GET %s with a 404 in OpenAI\'s error shape, not the studio page', async (path) => {
    const { url } = await withStudio();

    const answer = await rawRequest(`${url}${path}`);

    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.json).toEqual(openAiError('unknown_url'));
    expect(answer.json.error.message).toContain(`GET ${path}`);
  });

  it.each(['/api/nothing', '/api/plugins/echo/nothing', '/rpc/nothing'])('answers %s with a 404 in the gateway error body', async (path) => {
    const { url } = await withStudio();

    const answer = await rawRequest(`${url}${path}`);

    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({ error: { code: -32601, name: 'MethodNotFound', message: expect.stringContaining(path), data: { reason: 'path', httpMethod: 'GET', path } } });
  });

  it('still serves plugin routes under /v1 and other paths from the root mount', async () => {
    const { url } = await withStudio();

    const models = await rawRequest(`${url}/v1/models`);
    const page = await rawRequest(`${url}/some/page`);

    expect(models.status).toBe(200);
    expect(models.json).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(page.status).toBe(200);
    expect(page.json).toMatchObject({ plugin: 'studio', url: '/some/page' });
  });
});

describe('wrong methods on known paths', () => {
  it('answers 405 with Allow in OpenAI\'s shape under /v1', async () => {
    const { url } = await withStudio();

    const chat = await rawRequest(`${url}/v1/chat/completions`);
    const models = await rawRequest(`${url}/v1/models`, { method: 'DELETE' });

    expect(chat.status).toBe(405);
    expect(chat.headers.allow).toBe('POST');
    expect(chat.json).toEqual(openAiError('method_not_allowed'));
    expect(models.status).toBe(405);
    expect(models.headers.allow).toBe('GET');
  });

  it('answers 405 with Allow and the gateway error body on REST and plugin /api routes', async () => {
    const { url } = await withStudio();

    const stop = await rawRequest(`${url}/api/plugins/echo/stop`);
    const status = await rawRequest(`${url}/api/status`, { method: 'DELETE' });
    const models = await rawRequest(`${url}/api/models`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });

    expect(stop.status).toBe(405);
    expect(stop.headers.allow).toBe('POST');
    expect(stop.json).toMatchObject({ error: { code: -32600, name: 'InvalidRequest', data: { reason: 'method', httpMethod: 'GET', allow: ['POST'] } } });
    expect(status.status).toBe(405);
    expect(status.headers.allow).toBe('HEAD, GET');
    expect(models.status).toBe(405);
    expect(models.headers.allow).toBe('GET');
  });

  it('answers OPTIONS on a known path with 204 and Allow', async () => {
    const { url } = await withStudio();

    const answer = await rawRequest(`${url}/api/plugins/echo/stop`, { method: 'OPTIONS' });

    expect(answer.status).toBe(204);
    expect(answer.headers.allow).toBe('POST');
  });
});
