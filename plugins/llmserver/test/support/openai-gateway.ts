import { afterAll, beforeAll } from 'vitest';
import { startTestGateway, type TestGateway } from '../../../../tests/gateway/support/test-gateway.ts';
import { OPENAI_ROUTES } from '../../src/openai/openai-capabilities.ts';
import { llmserverManifest } from './llmserver-manifest.ts';

/**
 * A kernel and gateway for the whole test file with the real llmserver process serving the
 * OpenAI routes (it generates the tiny model in its temp data directory). No gateway.auth:
 * every request is the local operator, who may call every capability.
 */
export function useOpenAiGateway(): { readonly gateway: TestGateway } {
  let gateway: TestGateway | undefined;
  beforeAll(async () => {
    gateway = await startTestGateway([llmserverManifest({ http: { routes: OPENAI_ROUTES } })]);
    await gateway.waitForState('llmserver', 'running');
  });
  afterAll(async () => {
    await gateway?.close();
  });
  return {
    get gateway() {
      return gateway!;
    },
  };
}
