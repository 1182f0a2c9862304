import { stat } from 'node:fs/promises';
import { defineCapability, type CapabilitySpec, type HttpRouteRequest } from '@cyberstudio/sdk';
import type { LlmState } from '../llm-state.ts';
import { openAiErrorAnswer } from './openai-errors.ts';

const CAPABILITY = 'llm.openai.models';

/** `llm.openai.models`: OpenAI's `GET /v1/models`, the models a call may name. */
export function openAiModelsCapability(state: LlmState): Record<string, CapabilitySpec> {
  return {
    [CAPABILITY]: defineCapability<HttpRouteRequest, unknown>({
      description:
        "GET /v1/models (OpenAI-compatible): { object: 'list', data: [{ id, object: 'model', created, owned_by: 'cyberstudio' }] } " +
        "for the remote models (owned_by 'remote', created 0) and the usable models of the models folder (failed ones are left out; llm.models.list shows them). `created` is the file's mtime in seconds.",
      params: { type: 'object' },
      result: {},
      async handler() {
        try {
          const records = (await state.registry.scan()).filter((record) => record.error === undefined && record.info !== undefined);
          const data = await Promise.all(records.map(async (record) => ({
            id: record.id,
            object: 'model',
            created: Math.floor((await stat(record.file)).mtimeMs / 1000),
            owned_by: 'cyberstudio',
          })));
          const remote = [...state.remoteModels().keys()].map((id) => ({ id, object: 'model', created: 0, owned_by: 'remote' }));
          return { object: 'list', data: [...remote, ...data.filter((model) => !state.remoteModel(model.id))] };
        } catch (error) {
          return openAiErrorAnswer(error);
        }
      },
    }),
  };
}
