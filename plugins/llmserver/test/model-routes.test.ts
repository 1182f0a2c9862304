import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../../tests/gateway/support/test-gateway.ts';
import { MODEL_ROUTES } from '../src/http/model-routes.ts';
import { generateTinyModel } from '../src/tiny-model/generate-tiny-model.ts';
import { FakeModelHost } from './support/fake-model-host.ts';
import { llmserverManifest } from './support/llmserver-manifest.ts';

// The model administration REST API (/api/models...) the studio's Models page uses, through the gateway.
let gateway: TestGateway;
let host: FakeModelHost;

beforeAll(async () => {
  host = await FakeModelHost.start();
  const file = path.join(os.tmpdir(), `cds-routes-model-${process.pid}.gguf`);
  await generateTinyModel(file);
  host.hub('cyber', 'tiny', 'main', 'extra-tiny.gguf', { bytes: await readFile(file) });
  gateway = await startTestGateway([llmserverManifest({ http: { routes: MODEL_ROUTES }, config: { threads: 1, huggingFaceEndpoint: host.url } })]);
  await gateway.waitForState('llmserver', 'running');
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  await host?.close();
});

async function api(method: string, route: string, body?: object, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string }> {
  const response = await fetch(`${gateway.url}${route}`, {
    method, headers: { ...(body && { 'content-type': 'application/json' }), ...headers }, body: body && JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

describe('the model administration API', () => {
  it('lists the models of the models folder with their state', async () => {
    const { status, json } = await api('GET', '/api/models');

    expect(status).toBe(200);
    expect(json.models).toContainEqual(expect.objectContaining({ id: 'tiny-llama', state: 'unloaded', parameters: expect.any(Number) }));
  });

  it('answers one model, and 404 for an id that names none', async () => {
    const found = await api('GET', '/api/models/tiny-llama');
    const missing = await api('GET', '/api/models/nothing-here');

    expect(found).toMatchObject({ status: 200, json: { id: 'tiny-llama' } });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: -32007, message: expect.stringMatching(/names no model/) });
  });

  it('loads and unloads a model', async () => {
    const loaded = await api('POST', '/api/models/tiny-llama/load');
    const unloaded = await api('POST', '/api/models/tiny-llama/unload');
    const after = await api('GET', '/api/models/tiny-llama');

    expect(loaded).toMatchObject({ status: 200, json: { id: 'tiny-llama', state: 'loaded' } });
    expect(unloaded).toMatchObject({ status: 200, json: { id: 'tiny-llama', unloaded: true } });
    expect(after.json.state).toBe('unloaded');
  });

  it('validates a model file, with its checksum', async () => {
    const { status, json } = await api('POST', '/api/models/tiny-llama/validate', { checksum: true });

    expect(status).toBe(200);
    expect(json).toMatchObject({ id: 'tiny-llama', valid: true, problems: [], sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('downloads a model with progress as server-sent events, then deletes it', async () => {
    const download = await api('POST', '/api/models/download', { source: 'hf:cyber/tiny/extra-tiny.gguf' }, { accept: 'text/event-stream' });
    const listed = await api('GET', '/api/models/extra-tiny');
    const deleted = await api('DELETE', '/api/models/extra-tiny');
    const gone = await api('GET', '/api/models/extra-tiny');

    expect(download.status).toBe(200);
    expect(download.text).toMatch(/"state":"downloading"/);
    expect(download.text).toMatch(/event: result\ndata: \{.*"id":"extra-tiny"/);
    expect(listed).toMatchObject({ status: 200, json: { id: 'extra-tiny', state: 'unloaded' } });
    expect(deleted).toMatchObject({ status: 200, json: { id: 'extra-tiny', deleted: true } });
    expect(gone.status).toBe(404);
  });

  it('refuses a download request without a source with 400 naming the field', async () => {
    const { status, json } = await api('POST', '/api/models/download', {});

    expect(status).toBe(400);
    expect(json.error.data.errors[0].params).toMatchObject({ missingProperty: 'source' });
  });
});
