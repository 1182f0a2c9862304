import type Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { BusError, ErrorCode } from '@cyberstudio/sdk';
import type { GatewayContext } from './gateway-context.ts';
import type { UserCaller } from './identity-resolver.ts';
import { readJsonBody } from './read-body.ts';
import { logQueryFrom, telemetryQueryFrom } from './rest-query.ts';

type RouteContext = ParameterizedContext & { params: Record<string, string> };

/** A plugin's summary as kernel.plugins.get answers it (the fields the status route keeps). */
interface PluginAnswer {
  name: string;
  state: string;
  pid: number | null;
  startedAt: number | null;
  restarts: number;
  lastError: string | null;
  load: { active: number; queued: number };
}

/**
 * The management REST API under `/api`: each route calls its `kernel.*` capability as the
 * request's caller through `gateway.call`, so the access policy applies exactly as on `/rpc`.
 * An unknown plugin id answers 404 (PluginNotFound, data `{ plugin }`), checked
 * only after the access policy allows the call, so a caller without access learns nothing.
 */
export function registerRestApi(router: Router, gateway: GatewayContext): void {
  const call = (ctx: RouteContext, capability: string, params: Record<string, unknown>) => gateway.call(ctx.state.caller as UserCaller, capability, params);
  /** The route's plugin id, once the caller may call `capability` and the plugin exists. */
  const pluginOf = (ctx: RouteContext, capability: string): string => {
    const plugin = ctx.params.id!;
    gateway.policy.assertCall(ctx.state.caller as UserCaller, capability);
    if (!gateway.kernel.supervisors.some((supervisor) => supervisor.name === plugin)) throw unknownPlugin(plugin);
    return plugin;
  };
  const callForPlugin = (ctx: RouteContext, capability: string, params: Record<string, unknown> = {}) => call(ctx, capability, { plugin: pluginOf(ctx, capability), ...params });

  router.get('/api/status', async (ctx) => {
    ctx.body = await call(ctx, 'kernel.status', {});
  });
  router.get('/api/capabilities', async (ctx) => {
    ctx.body = await call(ctx, 'kernel.plugins.capabilities', {});
  });
  router.get('/api/plugins', async (ctx) => {
    ctx.body = await call(ctx, 'kernel.plugins.list', {});
  });
  router.get('/api/plugins/:id', async (ctx) => {
    ctx.body = await callForPlugin(ctx, 'kernel.plugins.get');
  });
  for (const action of ['start', 'stop', 'restart'] as const) {
    router.post(`/api/plugins/:id/${action}`, async (ctx) => {
      ctx.body = await callForPlugin(ctx, `kernel.plugins.${action}`);
    });
  }
  router.get('/api/plugins/:id/status', async (ctx) => {
    const plugin = (await callForPlugin(ctx, 'kernel.plugins.get')) as PluginAnswer;
    ctx.body = {
      name: plugin.name,
      state: plugin.state,
      pid: plugin.pid,
      restarts: plugin.restarts,
      uptimeMs: plugin.startedAt === null ? null : Math.max(0, Date.now() - plugin.startedAt),
      lastError: plugin.lastError,
      load: plugin.load,
    };
  });
  router.get('/api/plugins/:id/logs', async (ctx) => {
    ctx.body = await callForPlugin(ctx, 'kernel.plugins.logs', logQueryFrom(ctx.query, 'kernel.plugins.logs'));
  });
  router.get('/api/plugins/:id/telemetry', async (ctx) => {
    ctx.body = await callForPlugin(ctx, 'kernel.plugins.telemetry', telemetryQueryFrom(ctx.query, 'kernel.plugins.telemetry'));
  });
  router.get('/api/plugins/:id/capabilities', async (ctx) => {
    ctx.body = await callForPlugin(ctx, 'kernel.plugins.capabilities');
  });
  router.post('/api/plugins/:id/config', async (ctx) => {
    const plugin = pluginOf(ctx, 'kernel.plugins.setConfig');
    const config = await readJsonBody(ctx.req, gateway.settings.limits.bodyBytes);
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new BusError(ErrorCode.CapabilityInvalidParams, 'Send the new config as a JSON object body (Content-Type: application/json)', {
        capability: 'kernel.plugins.setConfig',
        errors: [{ instancePath: '/config', message: 'must be object', keyword: 'type', params: { type: 'object' } }],
      });
    }
    ctx.body = await call(ctx, 'kernel.plugins.setConfig', { plugin, config });
  });
}

function unknownPlugin(plugin: string): BusError {
  return new BusError(ErrorCode.PluginNotFound, `No plugin named '${plugin}' is registered`, { plugin });
}
