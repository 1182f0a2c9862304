import type Router from '@koa/router';
import type { Kernel } from '../kernel.ts';
import { KERNEL_NAME, KERNEL_VERSION } from '../kernel-info.ts';
import { PluginState } from '../lifecycle/plugin-state.ts';
import type { GatewayContext } from './gateway-context.ts';
import { openApiDocument } from './openapi-document.ts';

/** The kernel's health as `/health` reports it. */
export interface HealthReport {
  status: 'starting' | 'ok' | 'degraded' | 'down';
  /** True once every enabled startup plugin is running (readiness; `status` is liveness and degradation). */
  ready: boolean;
  kernel: { name: string; version: string; uptimeMs: number; pid: number };
  plugins: Array<{ name: string; state: PluginState; required: boolean; enabled: boolean }>;
}

/** States in which an optional plugin that should be serving makes the kernel degraded. */
const TROUBLED: ReadonlySet<PluginState> = new Set([PluginState.Crashed, PluginState.Backoff, PluginState.Quarantined, PluginState.Unhealthy]);

/**
 * The kernel's health: `starting` until the kernel has tried to start every startup plugin, then `down` while a required plugin is not running (unhealthy counts as not
 * running), else `degraded` while an enabled optional plugin is crashed, in backoff,
 * quarantined or unhealthy, else `ok`. Stopped plugins (lazy ones not yet called, disabled
 * ones) are fine.
 */
export function healthOf(kernel: Kernel): HealthReport {
  let status: HealthReport['status'] = 'ok';
  const plugins = kernel.supervisors.map((supervisor) => {
    const { required, enabled } = supervisor.manifest;
    const state = supervisor.state;
    if (required && state !== PluginState.Running) status = 'down';
    else if (!required && enabled && TROUBLED.has(state) && status === 'ok') status = 'degraded';
    return { name: supervisor.name, state, required, enabled };
  });
  if (kernel.starting) status = 'starting';
  return { status, ready: kernel.ready, kernel: { name: KERNEL_NAME, version: KERNEL_VERSION, uptimeMs: Date.now() - kernel.startedAt, pid: process.pid }, plugins };
}

/**
 * `GET /health` (liveness: 200, or 503 when down), `GET /health/ready` (readiness: 200 once
 * ready, else 503), `GET /metrics` (Prometheus text) and `GET /api/openapi.json`. All are
 * public: they are registered before the identity middleware, so probes and scrapers need no credential.
 */
export function registerHealthRoutes(router: Router, gateway: GatewayContext): void {
  router.get('/health', (ctx) => {
    const report = healthOf(gateway.kernel);
    ctx.status = report.status === 'down' ? 503 : 200;
    ctx.set('cache-control', 'no-store');
    ctx.body = report;
  });
  router.get('/health/ready', (ctx) => {
    const report = healthOf(gateway.kernel);
    ctx.status = report.ready ? 200 : 503;
    ctx.set('cache-control', 'no-store');
    ctx.body = report;
  });
  router.get('/metrics', async (ctx) => {
    const { contentType, body } = await gateway.metrics.render();
    ctx.set('cache-control', 'no-store');
    ctx.type = contentType;
    ctx.body = body;
  });
  const document = openApiDocument({ sessionCookie: gateway.settings.auth?.sessionCookie ?? 'cyberstudio_session' });
  router.get('/api/openapi.json', (ctx) => {
    ctx.body = document;
  });
}
