/** Path prefixes the gateway serves itself; plugin routes and mounts other than "/" may not use them. */
export const GATEWAY_PATH_PREFIXES = ['/rpc', '/ws', '/api', '/health', '/metrics'] as const;

/** The first segments under /api that the gateway's REST API serves; plugin routes may use any other. */
export const GATEWAY_API_SEGMENTS = ['plugins', 'capabilities', 'status', 'openapi.json'] as const;

/** HTTP methods a plugin route may name. */
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A route key of `http.routes` split into its method and path pattern. */
export interface RouteKey {
  method: RouteMethod;
  /** The path pattern without a trailing slash (except "/"), e.g. `/v1/models/:id`. */
  pattern: string;
  /** The pattern's segments; `:name` segments are parameters. */
  segments: string[];
}

/** Parses `"POST /v1/chat/completions"`; undefined when the key is not `METHOD /path`. */
export function parseRouteKey(key: string): RouteKey | undefined {
  const match = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)$/.exec(key);
  if (!match) return undefined;
  const pattern = withoutTrailingSlash(match[2]!);
  return { method: match[1] as RouteMethod, pattern, segments: segmentsOf(pattern) };
}

/** Two route keys with the same shape match the same requests: `/a/:id` and `/a/:name` are one shape. */
export function routeShape(route: RouteKey): string {
  return `${route.method} /${route.segments.map((segment) => (segment.startsWith(':') ? ':' : segment)).join('/')}`;
}

/** A mount prefix as the gateway compares it: without a trailing slash, "/" for the root. */
export function normalizeMount(prefix: string): string {
  return withoutTrailingSlash(prefix);
}

/** True when `path` is one of the gateway's own paths or lies under one. */
export function isGatewayPath(path: string): boolean {
  return GATEWAY_PATH_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * True when a plugin route with this pattern could answer requests the gateway serves itself: under
 * its prefixes other than /api, /api itself, and under /api a first segment the REST API uses or a
 * parameter (which would match them). `/api/models` is free for a plugin; `/api/plugins/x` is not.
 */
export function isGatewayRoute(route: RouteKey): boolean {
  const [first, second] = route.segments;
  if (first !== 'api') return isGatewayPath(route.pattern);
  return second === undefined || second.startsWith(':') || (GATEWAY_API_SEGMENTS as readonly string[]).includes(second);
}

/** The non-empty segments of a path: `/a/b/` -> ['a', 'b'], `/` -> []. */
export function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function withoutTrailingSlash(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}
