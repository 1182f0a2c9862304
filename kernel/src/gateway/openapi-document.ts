import { KERNEL_VERSION } from '../kernel-info.ts';
import { PluginState } from '../lifecycle/plugin-state.ts';
import { LOG_LEVELS } from '../telemetry/log-record.ts';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const errors = (...names: string[]): Json => Object.fromEntries(names.map((status) => [status, { $ref: `#/components/responses/${status}` }]));
const json = (schema: Json, description: string): Json => ({ description, content: { 'application/json': { schema } } });
const nullable = (type: string): Json => ({ type: [type, 'null'] });
const integer = { type: 'integer' };
const string = { type: 'string' };
const object = (properties: Json, required = Object.keys(properties)): Json => ({ type: 'object', properties, required });

const pluginId = { name: 'id', in: 'path', required: true, description: 'The plugin name as registered in plugins.json.', schema: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' } };
const pluginTag = ['plugins'];

/** An operation of the management API: it needs a credential when gateway.auth is set, and an access rule allowing `capability`. */
function managed(summary: string, capability: string, ok: Json, extra: Json = {}, failures: string[] = []): Json {
  return {
    summary,
    description: `Calls \`${capability}\` as the signed-in user; the gateway's access rules must allow that capability.`,
    tags: pluginTag,
    ...extra,
    responses: { '200': ok, ...errors('401', '403', ...failures) },
  };
}

/** One plugin's operation: the `{id}` path parameter and a 404 for an unknown plugin. */
function perPlugin(summary: string, capability: string, ok: Json, extra: Json = {}, failures: string[] = []): Json {
  const { parameters = [], ...rest } = extra as { parameters?: Json[] };
  return managed(summary, capability, ok, { parameters: [pluginId, ...parameters], ...rest }, ['404', ...failures]);
}

const schemas: Json = {
  Error: object({ error: object({ code: { ...integer, description: 'Wire code from the error catalog (docs/errors.md).' }, name: string, message: string, data: {} }, ['code', 'name', 'message']) }),
  Load: object({ active: integer, queued: integer }),
  PluginSummary: object({
    name: string, description: string, state: { enum: Object.values(PluginState) }, enabled: { type: 'boolean' }, activation: { enum: ['startup', 'lazy'] },
    required: { type: 'boolean' }, pid: nullable('integer'), startedAt: { ...nullable('integer'), description: 'Epoch ms when the running process became ready.' },
    restarts: integer, lastError: nullable('string'), capabilities: { type: 'array', items: string }, load: ref('Load'),
  }),
  PluginDetail: {
    allOf: [ref('PluginSummary'), object({ manifest: { type: 'object' }, handshake: nullable('object'), config: { type: 'object', description: 'The config in force: the last one setConfig accepted, else plugins.json\'s.' }, lastExit: nullable('object'), recentLogs: { type: 'array', items: ref('LogRecord') } })],
  },
  PluginStatus: object({
    name: string, state: { enum: Object.values(PluginState) }, pid: nullable('integer'), restarts: integer,
    uptimeMs: { ...nullable('integer'), description: 'Null while no process is serving.' }, lastError: nullable('string'), load: ref('Load'),
  }),
  LogRecord: object({
    seq: integer, time: { ...integer, description: 'Epoch ms.' }, plugin: string, level: { enum: [...LOG_LEVELS] }, msg: string,
    fields: { type: 'object' }, source: { enum: ['stderr', 'rpc', 'kernel'] },
  }, ['seq', 'time', 'plugin', 'level', 'msg', 'source']),
  TelemetrySample: object({
    plugin: string, time: integer, state: string, pid: nullable('integer'), cpuPercent: { type: 'number' }, rssBytes: integer, restarts: integer,
    uptimeMs: integer, calls: integer, errors: integer, inFlight: integer, queueDepth: integer, latency: { type: 'object', additionalProperties: { type: 'object' } },
  }),
  Capability: object({
    name: string, plugin: { ...string, description: '"kernel" for kernel.* capabilities.' }, description: nullable('string'),
    params: { description: 'JSON Schema of the params; null until the provider has run once.' }, result: { description: 'JSON Schema of the result, or null.' }, stream: nullable('boolean'),
  }),
  KernelStatus: object({
    name: string, version: string, pid: integer, uptimeMs: integer,
    cpuPercent: { type: 'number', description: 'CPU of the kernel process since the previous kernel.status (at least 1 s; the first since the process started); 100 = one full core.' },
    rssBytes: integer, registry: string, dataDir: string,
    plugins: { type: 'object', additionalProperties: integer, description: 'Number of plugins per state.' }, logsDropped: integer,
    webSockets: {
      ...object({ open: integer, byEndpoint: { type: 'object', additionalProperties: integer, description: "Per endpoint: '/ws' (JSON-RPC) and '/ws/plugins' (streams)." } }),
      description: "The gateway's open WebSockets.",
    },
  }),
  ConfigResult: object({ plugin: string, restarted: { type: 'boolean' }, state: string }),
  Health: object({
    status: { enum: ['starting', 'ok', 'degraded', 'down'] },
    ready: { type: 'boolean', description: 'True once the kernel has started and every enabled startup plugin is running.' },
    kernel: object({ name: string, version: string, uptimeMs: integer, pid: integer }),
    plugins: { type: 'array', items: object({ name: string, state: { enum: Object.values(PluginState) }, required: { type: 'boolean' }, enabled: { type: 'boolean' } }) },
  }),
  JsonRpcRequest: object({ jsonrpc: { const: '2.0' }, id: { type: ['string', 'number', 'null'] }, method: { ...string, description: 'A capability name.' }, params: { type: 'object' } }, ['jsonrpc', 'method']),
  JsonRpcResponse: {
    type: 'object',
    required: ['jsonrpc', 'id'],
    properties: { jsonrpc: { const: '2.0' }, id: { type: ['string', 'number', 'null'] }, result: {}, error: object({ code: integer, message: string, data: {} }, ['code', 'message']) },
  },
};

const errorResponse = (description: string): Json => json(ref('Error'), description);
const responses: Json = {
  '400': errorResponse('Invalid request: bad query or body (CapabilityInvalidParams -32007 with the schema errors in data, ParseError -32700, InvalidRequest -32600).'),
  '401': { ...errorResponse('Unauthenticated (-32012): no credential, or one the identity provider rejects.'), headers: { 'WWW-Authenticate': { schema: string } } },
  '403': errorResponse('Forbidden (-32008): no access rule lets your roles call this capability; or (data.reason "cross-site") a state-changing request whose Origin is not the gateway\'s own nor in gateway.allowedOrigins, or that the browser marked Sec-Fetch-Site: cross-site or same-site without an Origin.'),
  '404': errorResponse('PluginNotFound (-32014) with data { plugin }: no plugin of that name is registered.'),
  '413': errorResponse('The body is larger than gateway.limits.bodyBytes (InvalidRequest -32600).'),
  '415': errorResponse('The request names a Content-Type that is not application/json, with a body or without (form and text/plain types are refused; no Content-Type at all is accepted for a bodiless request) (InvalidRequest -32600, data { reason: "content-type", contentType, expected }).'),
  '503': errorResponse('PluginNotRunning (-32002): the plugin could not be started or stopped.'),
};

const logParameters = [
  { name: 'level', in: 'query', description: 'Minimum level: a name (trace..fatal, any case) or a pino number (10..60).', schema: string },
  { name: 'since', in: 'query', description: 'Oldest record time, inclusive: epoch ms or an ISO 8601 date.', schema: string },
  { name: 'until', in: 'query', description: 'Newest record time, inclusive: epoch ms or an ISO 8601 date.', schema: string },
  { name: 'limit', in: 'query', description: 'Most records (the newest), 1..10000; default 200.', schema: { ...integer, minimum: 1, maximum: 10000 } },
  { name: 'q', in: 'query', description: 'Case-insensitive text in the message or the fields.', schema: string },
];

const lifecycle = (verb: string, capability: string, text: string): Json => ({
  post: perPlugin(`${verb} the plugin`, capability, json(ref('PluginSummary'), `${text}; the plugin's summary afterwards.`), {
    operationId: `${verb.toLowerCase()}Plugin`,
    description: `Calls \`${capability}\` as the signed-in user; the gateway's access rules must allow that capability. Send no body (or a JSON one, which is ignored).`,
  }, ['415', '503']),
});

const paths: Json = {
  '/health': {
    get: {
      summary: 'Kernel health', tags: ['operations'], operationId: 'health', security: [],
      description: 'Liveness. "starting" (200) until the kernel has tried to start every startup plugin; then "down" (503) while a required plugin is not running; "degraded" while an enabled optional plugin is crashed, in backoff, quarantined or unhealthy; else "ok". `ready` says whether every startup plugin is running.',
      responses: { '200': json(ref('Health'), 'starting, ok or degraded.'), '503': json(ref('Health'), 'down.') },
    },
  },
  '/health/ready': {
    get: {
      summary: 'Kernel readiness', tags: ['operations'], operationId: 'healthReady', security: [],
      description: 'Readiness: 200 once the kernel has started and every enabled startup plugin is running, else 503; the body is the /health report.',
      responses: { '200': json(ref('Health'), 'Ready.'), '503': json(ref('Health'), 'Not ready yet, or a startup plugin is not running.') },
    },
  },
  '/metrics': {
    get: {
      summary: 'Prometheus metrics', tags: ['operations'], operationId: 'metrics', security: [],
      responses: { '200': { description: 'Prometheus text exposition format 0.0.4.', content: { 'text/plain': { schema: string } } } },
    },
  },
  '/api/openapi.json': {
    get: { summary: 'This document', tags: ['operations'], operationId: 'openApiDocument', security: [], responses: { '200': json({ type: 'object' }, 'OpenAPI 3.1 document.') } },
  },
  '/rpc': {
    post: {
      summary: 'JSON-RPC 2.0 call or batch; the method is a capability name', tags: ['rpc'], operationId: 'rpc',
      requestBody: { required: true, content: { 'application/json': { schema: { oneOf: [ref('JsonRpcRequest'), { type: 'array', items: ref('JsonRpcRequest'), minItems: 1 }] } } } },
      responses: {
        '200': json({ oneOf: [ref('JsonRpcResponse'), { type: 'array', items: ref('JsonRpcResponse') }] }, 'The answer; capability errors are inside it.'),
        '204': { description: 'Only notifications were sent.' },
        '400': json(ref('JsonRpcResponse'), 'Not JSON, an empty body or an empty batch.'),
        '401': json(ref('JsonRpcResponse'), 'A single request failed with Unauthenticated.'),
        '403': json(ref('JsonRpcResponse'), 'A single request failed with Forbidden, or the request came from another site (data.reason "cross-site").'),
        '413': json(ref('JsonRpcResponse'), 'Body or batch over the gateway limits.'),
        '415': json(ref('JsonRpcResponse'), 'The request names a Content-Type that is not application/json (even with an empty body).'),
        '429': json(ref('JsonRpcResponse'), 'A single request failed with RateLimited; see Retry-After.'),
        '503': json({ oneOf: [ref('JsonRpcResponse'), { type: 'array', items: ref('JsonRpcResponse') }] }, 'The gateway closed (kernel shutdown) while the call ran: it, or the batch members still running, answer ShuttingDown (-32011).'),
      },
    },
  },
  '/api/status': { get: { ...managed('Kernel status', 'kernel.status', json(ref('KernelStatus'), 'The kernel.')), operationId: 'kernelStatus', tags: ['kernel'] } },
  '/api/capabilities': {
    get: { ...managed('Every capability with its provider and schemas', 'kernel.plugins.capabilities', json({ type: 'array', items: ref('Capability') }, 'Every capability.')), operationId: 'listCapabilities', tags: ['kernel'] },
  },
  '/api/plugins': { get: managed('Every plugin with its state', 'kernel.plugins.list', json({ type: 'array', items: ref('PluginSummary') }, 'Plugins in registry order.'), { operationId: 'listPlugins' }) },
  '/api/plugins/{id}': { get: perPlugin('One plugin in detail', 'kernel.plugins.get', json(ref('PluginDetail'), 'The plugin.'), { operationId: 'getPlugin' }) },
  '/api/plugins/{id}/start': lifecycle('Start', 'kernel.plugins.start', 'Started (a quarantined plugin is released)'),
  '/api/plugins/{id}/stop': lifecycle('Stop', 'kernel.plugins.stop', 'Stopped gracefully'),
  '/api/plugins/{id}/restart': lifecycle('Restart', 'kernel.plugins.restart', 'Stopped and started'),
  '/api/plugins/{id}/status': { get: perPlugin('Compact status of one plugin', 'kernel.plugins.get', json(ref('PluginStatus'), 'State, pid, restarts, uptime, last error, load.'), { operationId: 'pluginStatus' }) },
  '/api/plugins/{id}/logs': {
    get: perPlugin('Log records of one plugin, oldest first', 'kernel.plugins.logs', json({ type: 'array', items: ref('LogRecord') }, 'The newest matching records.'), { operationId: 'pluginLogs', parameters: logParameters }, ['400']),
  },
  '/api/plugins/{id}/telemetry': {
    get: perPlugin('Recent telemetry samples, oldest first', 'kernel.plugins.telemetry', json({ type: 'array', items: ref('TelemetrySample') }, 'Samples, one per telemetry interval.'), {
      operationId: 'pluginTelemetry',
      parameters: [{ name: 'limit', in: 'query', description: 'Most samples (the newest), 1..300.', schema: { ...integer, minimum: 1, maximum: 300 } }],
    }, ['400']),
  },
  '/api/plugins/{id}/config': {
    post: perPlugin("Replace the plugin's config", 'kernel.plugins.setConfig', json(ref('ConfigResult'), 'Validated, persisted, and the plugin restarted if it was running.'), {
      operationId: 'setPluginConfig',
      requestBody: { required: true, description: "The new config; validated against the plugin's configSchema.", content: { 'application/json': { schema: { type: 'object' } } } },
    }, ['400', '413', '415', '503']),
  },
  '/api/plugins/{id}/capabilities': {
    get: perPlugin("The plugin's capabilities with their schemas", 'kernel.plugins.capabilities', json({ type: 'array', items: ref('Capability') }, 'Its capabilities.'), { operationId: 'pluginCapabilities' }),
  },
};

/** Options of the document: the session cookie's name as configured (gateway.auth.sessionCookie). */
export interface OpenApiOptions {
  sessionCookie: string;
}

/** The OpenAPI 3.1 document of the gateway's HTTP API (served at `/api/openapi.json`). */
export function openApiDocument(options: OpenApiOptions): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'CyberDevStudio gateway',
      version: KERNEL_VERSION,
      description:
        'The kernel\'s HTTP API: JSON-RPC over /rpc, the management REST API under /api, /health and /metrics. Errors outside JSON-RPC are { error: { code, name, message, data } } with the HTTP status of the error catalog (docs/errors.md); a plugin\'s own codes (>= 10000) answer 500, or data.httpStatus when it is an integer in 400..599. Without gateway.auth in plugins.json the gateway listens on loopback only and every request acts as the local operator (role admin), so no credential is needed. Every path answers 421 (Forbidden -32008, data.reason "host") for a Host header the gateway does not serve (gateway.allowedHosts); an unknown path under /api or /rpc answers 404 (MethodNotFound -32601, data { reason: "path", httpMethod, path }); a known path with another method answers 405 with Allow (InvalidRequest -32600, data { reason: "method", httpMethod, allow }).',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'operations', description: 'Public: probes, scrapes and this document.' },
      { name: 'rpc', description: 'Capability calls.' },
      { name: 'kernel', description: 'The kernel as a whole.' },
      { name: 'plugins', description: 'Plugin management.' },
    ],
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    paths,
    components: {
      schemas,
      responses,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key, checked by the gateway.auth capability.' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: options.sessionCookie, description: 'A session, checked by the gateway.auth capability.' },
      },
    },
  };
}
