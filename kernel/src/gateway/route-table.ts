import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { parseRouteKey, segmentsOf, type Registry } from '../registry/index.ts';
import { HttpError } from './http-errors.ts';

/** One plugin route a request matched. */
export interface RouteMatch {
  /** `"<METHOD> <pattern>"`, e.g. `GET /v1/models/:id` (the metrics label, never the raw path). */
  route: string;
  capability: string;
  /** The plugin that declared the route. */
  plugin: string;
  /** Decoded `:name` path parameters. */
  params: Record<string, string>;
}

interface CompiledRoute {
  method: string;
  route: string;
  capability: string;
  plugin: string;
  segments: string[];
}

const tables = new WeakMap<Registry, RouteTable>();

/**
 * Every plugin's `http.routes`, compiled for matching. A route with a literal segment wins over
 * one with a parameter at the same position (`/models/list` before `/models/:id`); otherwise the
 * first declared wins (the registry refuses two routes of the same shape).
 */
export class RouteTable {
  readonly #routes: CompiledRoute[];

  private constructor(routes: CompiledRoute[]) {
    this.#routes = routes.sort((a, b) => specificity(a.segments, b.segments));
  }

  /** The table of `registry`, compiled once per registry object (a reload brings a new one). */
  static of(registry: Registry): RouteTable {
    let table = tables.get(registry);
    if (!table) {
      const routes: CompiledRoute[] = [];
      for (const plugin of registry.plugins) {
        for (const [key, capability] of Object.entries(plugin.http?.routes ?? {})) {
          const parsed = parseRouteKey(key);
          if (parsed) routes.push({ method: parsed.method, route: `${parsed.method} ${parsed.pattern}`, capability, plugin: plugin.name, segments: parsed.segments });
        }
      }
      table = new RouteTable(routes);
      tables.set(registry, table);
    }
    return table;
  }

  /** The route for `method` and raw (still percent-encoded) `path`; throws HttpError 400 for a malformed escape in a parameter. */
  match(method: string, path: string): RouteMatch | undefined {
    const segments = segmentsOf(path);
    for (const route of this.#routes) {
      if (route.method !== method || !fits(route.segments, segments)) continue;
      const params: Record<string, string> = {};
      route.segments.forEach((expected, index) => {
        if (expected.startsWith(':')) params[expected.slice(1)] = decodeSegment(segments[index]!);
      });
      return { route: route.route, capability: route.capability, plugin: route.plugin, params };
    }
    return undefined;
  }

  /** The methods of every route whose pattern matches `path` (for a 405's Allow). */
  methodsFor(path: string): string[] {
    const segments = segmentsOf(path);
    const methods = new Set<string>();
    for (const route of this.#routes) {
      if (fits(route.segments, segments)) methods.add(route.method);
    }
    return [...methods];
  }
}

/** True when a request path's segments fit a route pattern's (a `:name` segment fits any one). */
function fits(pattern: string[], segments: string[]): boolean {
  return pattern.length === segments.length && pattern.every((expected, index) => expected.startsWith(':') || expected === segments[index]);
}

/** Orders routes so that, at the first position where they differ in kind, a literal segment comes first. */
function specificity(a: string[], b: string[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    const aParam = a[index]!.startsWith(':');
    const bParam = b[index]!.startsWith(':');
    if (aParam !== bParam) return aParam ? 1 : -1;
  }
  return 0;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, new BusError(ErrorCode.InvalidRequest, `Malformed percent-encoding in the path segment '${segment}'`, { reason: 'path', segment }));
  }
}
