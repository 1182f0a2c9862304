import { SchemaValidator } from '@cyberstudio/sdk';
import { describe, expect, it } from 'vitest';
import { remoteConfigSchema, resolveRemoteModel } from '../src/remote/remote-config.ts';

const check = new SchemaValidator().compile(remoteConfigSchema);

describe('remote config', () => {
  it('accepts an entry with only a base URL and fills the defaults', () => {
    expect(check({ 'gpt-4o-mini': { baseUrl: 'https://api.openai.com/v1/' } })).toEqual([]);
    expect(resolveRemoteModel({ baseUrl: 'https://api.openai.com/v1/' }, 'gpt-4o-mini')).toEqual({
      baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKeyEnv: undefined, timeoutSeconds: 60, idleTimeoutSeconds: 60,
      retries: 2, retryBaseMs: 500, maxRetryDelayMs: 10_000, headers: {}, contextLength: undefined, embeddings: false,
    });
  });

  it('refuses a base URL that is not http(s) or carries a query', () => {
    expect(check({ a: { baseUrl: 'ftp://example.com/v1' } })).not.toEqual([]);
    expect(check({ a: { baseUrl: 'https://example.com/v1?key=1' } })).not.toEqual([]);
  });

  it('refuses unknown fields and an environment variable name that is not one', () => {
    expect(check({ a: { baseUrl: 'http://127.0.0.1:8080/v1', apiKey: 'sk-inline' } })).not.toEqual([]);
    expect(check({ a: { baseUrl: 'http://127.0.0.1:8080/v1', apiKeyEnv: 'sk-live-123' } })).not.toEqual([]);
  });
});
