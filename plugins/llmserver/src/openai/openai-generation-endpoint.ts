import { defineCapability, type CapabilitySpec, type HttpRouteRequest, type PluginContext } from '@cyberstudio/sdk';
import type { GenerationResult } from '../capabilities/generation-meter.ts';
import type { LlmState } from '../llm-state.ts';
import { openAiErrorAnswer } from './openai-errors.ts';
import { generationAnswer, type GenerationShape } from './openai-generation.ts';
import { bodyOf, modelOf, routeParamsSchema, samplingOf, streamOf, type OpenAiBody } from './openai-request.ts';

/** The plugin's param names in the request's terms, for 400 errors. */
const FIELDS = { json_schema: 'response_format' };

/** What a generation call gets: the endpoint's own input, the sampling params and the model. */
export type GenerationInput<Input> = Input & ReturnType<typeof samplingOf> & { model: string };

/** One OpenAI generation endpoint (chat completions, text completions): what differs between them. */
export interface GenerationEndpoint<Input> {
  capability: string;
  description: string;
  shape: GenerationShape;
  /** The endpoint's own part of the body, checked; throws badRequest naming the field. */
  read(body: OpenAiBody): Input;
  /** Runs llmserver's generation; `onText` is set when the client streams. */
  generate(params: GenerationInput<Input>, ctx: PluginContext, onText: ((chunk: { text: string }) => void) | undefined): Promise<GenerationResult>;
}

/**
 * An OpenAI generation endpoint as a route capability: the body is read (the endpoint's part,
 * then sampling, stream options and the model, any failure an OpenAI error answer), then the
 * generation answers as JSON or Server-Sent Events (generationAnswer).
 */
export function generationEndpoint<Input>(state: LlmState, endpoint: GenerationEndpoint<Input>): Record<string, CapabilitySpec> {
  return {
    [endpoint.capability]: defineCapability<HttpRouteRequest, unknown>({
      description: endpoint.description,
      params: routeParamsSchema,
      result: {},
      stream: true,
      async handler(request, ctx) {
        let prepared;
        try {
          const body = bodyOf(request);
          const input = endpoint.read(body);
          prepared = { ...streamOf(body), params: { ...input, ...samplingOf(body), model: await modelOf(state, endpoint.capability, body) } };
        } catch (error) {
          return openAiErrorAnswer(error, FIELDS);
        }
        const { stream, includeUsage, params } = prepared;
        return generationAnswer(endpoint.shape, { model: params.model, stream, includeUsage, fields: FIELDS }, (chunk) => ctx.progress(chunk), (onText) =>
          endpoint.generate(params, ctx, onText));
      },
    }),
  };
}
