import {
  BusError, ErrorCode, SchemaValidator, defineCapability, errorName, formatIssues,
  type CapabilitySpec, type HttpRouteRequest, type PluginContext, type SchemaCheck,
} from '@cyberstudio/sdk';

/** The capability behind every model administration route. */
export const MODEL_ROUTES_CAPABILITY = 'llm.models.http';

/** plugins.json `http.routes` of the model administration API. */
export const MODEL_ROUTES: Record<string, string> = {
  'GET /api/models': MODEL_ROUTES_CAPABILITY,
  'GET /api/models/:id': MODEL_ROUTES_CAPABILITY,
  'POST /api/models/download': MODEL_ROUTES_CAPABILITY,
  'DELETE /api/models/:id': MODEL_ROUTES_CAPABILITY,
  'POST /api/models/:id/load': MODEL_ROUTES_CAPABILITY,
  'POST /api/models/:id/unload': MODEL_ROUTES_CAPABILITY,
  'POST /api/models/:id/validate': MODEL_ROUTES_CAPABILITY,
};

/** One route: the capability it runs and how the request becomes its params. */
interface ModelRoute {
  capability: string;
  params(id: string | undefined, body: Record<string, unknown>): Record<string, unknown>;
}

/** `METHOD /api/models[/:id][/action]` shapes, with `:id` for the model id segment. */
const ROUTES: Record<string, ModelRoute> = {
  'GET /api/models': { capability: 'llm.models.list', params: () => ({}) },
  'GET /api/models/:id': { capability: 'llm.models.get', params: (id) => ({ id }) },
  'POST /api/models/download': { capability: 'llm.models.download', params: (_id, body) => body },
  'DELETE /api/models/:id': { capability: 'llm.models.delete', params: (id) => ({ id }) },
  'POST /api/models/:id/load': { capability: 'llm.models.load', params: (id) => ({ id }) },
  'POST /api/models/:id/unload': { capability: 'llm.models.unload', params: (id) => ({ id }) },
  'POST /api/models/:id/validate': { capability: 'llm.models.validate', params: (id, body) => ({ ...body, id }) },
};

/**
 * `llm.models.http`: the model administration REST API (`/api/models...`) over the llm.models.*
 * capabilities. Each route validates its params against the capability's schema and runs its
 * handler as the request's caller, so answers, errors and access checks are those of the
 * capability (a model id that names no model answers 404); a download or validation streams its progress as Server-Sent Events when the client
 * asks for a stream (`Accept: text/event-stream`).
 */
export function modelRoutesCapability(capabilities: Record<string, CapabilitySpec>): Record<string, CapabilitySpec> {
  const validator = new SchemaValidator();
  const checks = new Map<string, SchemaCheck>();
  const checkOf = (capability: string) => {
    let check = checks.get(capability);
    if (!check) checks.set(capability, (check = validator.compile(capabilities[capability]!.params)));
    return check;
  };
  return {
    [MODEL_ROUTES_CAPABILITY]: defineCapability<HttpRouteRequest, unknown>({
      description: 'The model administration routes (GET /api/models, GET|DELETE /api/models/:id, POST /api/models/download, POST /api/models/:id/load|unload|validate) over llm.models.*.',
      params: { type: 'object' },
      result: {},
      stream: true,
      handler(request, ctx: PluginContext) {
        const { route, id } = routeOf(request);
        const body = bodyOf(request);
        const params = route.params(id, body);
        const issues = checkOf(route.capability)(params);
        if (issues.length > 0) {
          throw new BusError(ErrorCode.CapabilityInvalidParams, `Invalid params for ${route.capability}: ${formatIssues(issues)}`, { capability: route.capability, errors: issues });
        }
        return answerOf(capabilities[route.capability]!, params, ctx);
      },
    }),
  };
}

/** The capability's result; a model id that names no model is 404 rather than the capability's 400. */
async function answerOf(capability: CapabilitySpec, params: Record<string, unknown>, ctx: PluginContext): Promise<unknown> {
  try {
    return await capability.handler(params, ctx);
  } catch (error) {
    if (!(error instanceof BusError) || (error.data as { reason?: string } | undefined)?.reason !== 'unknown-model') throw error;
    return { _http: { status: 404 }, body: { error: { code: error.code, name: errorName(error.code), message: error.message, data: error.data } } };
  }
}

function routeOf(request: HttpRouteRequest): { route: ModelRoute; id: string | undefined } {
  const id = request.params.id;
  // The route's shape: /api/models/<id>/... with the id segment written as :id.
  const segments = request.path.split('/').filter((segment) => segment !== '');
  if (id !== undefined) segments[2] = ':id';
  const route = ROUTES[`${request.method} /${segments.join('/')}`];
  if (!route) throw new BusError(ErrorCode.CapabilityNotFound, `No model administration route ${request.method} ${request.path}`, { capability: MODEL_ROUTES_CAPABILITY });
  return { route, id };
}

function bodyOf(request: HttpRouteRequest): Record<string, unknown> {
  const { body } = request;
  if (body === null || body === undefined) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new BusError(ErrorCode.CapabilityInvalidParams, 'Invalid params: the request body must be a JSON object', { capability: MODEL_ROUTES_CAPABILITY, errors: [] });
  }
  return body as Record<string, unknown>;
}
