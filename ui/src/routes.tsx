import { lazy, type JSX } from 'solid-js';
import type { KernelClient } from './kernel-client.ts';
import { DashboardPage } from './pages/dashboard-page.tsx';
import type { Role } from './roles.ts';
import type { SessionUser } from './session.ts';

/** What a page is rendered with: the user, the socket, and the values of its path's `:params`. */
export interface PageProps {
  user: SessionUser;
  client: KernelClient;
  params: Record<string, string>;
}

/**
 * A page of the studio: its path pattern (`/plugins/:name`), its name, the least role that may
 * open it, and whether the navigation lists it (a page reached from another, such as one
 * plugin's, is not listed).
 */
export interface Route {
  path: string;
  label: string;
  role: Role;
  nav: boolean;
  render(props: PageProps): JSX.Element;
}

// Pages other than the dashboard load on first use, so signing in fetches only what the first page needs.
const PluginPage = lazy(() => import('./pages/plugin-page.tsx').then((module) => ({ default: module.PluginPage })));
const ModelsPage = lazy(() => import('./pages/models-page.tsx').then((module) => ({ default: module.ModelsPage })));
const UsagePage = lazy(() => import('./pages/usage-page.tsx').then((module) => ({ default: module.UsagePage })));
const UsersPage = lazy(() => import('./pages/users-page.tsx').then((module) => ({ default: module.UsersPage })));
const SystemPage = lazy(() => import('./pages/system-page.tsx').then((module) => ({ default: module.SystemPage })));

/** Every page, in navigation order. */
export const ROUTES: readonly Route[] = [
  { path: '/', label: 'Dashboard', role: 'viewer', nav: true, render: (props) => <DashboardPage user={props.user} client={props.client} /> },
  { path: '/plugins/:name', label: 'Plugin', role: 'viewer', nav: false, render: (props) => <PluginPage user={props.user} client={props.client} name={props.params.name!} /> },
  { path: '/models', label: 'Models', role: 'developer', nav: true, render: (props) => <ModelsPage user={props.user} client={props.client} /> },
  { path: '/usage', label: 'Usage', role: 'viewer', nav: true, render: (props) => <UsagePage user={props.user} client={props.client} /> },
  { path: '/users', label: 'Users and API keys', role: 'admin', nav: true, render: (props) => <UsersPage client={props.client} /> },
  { path: '/system', label: 'System', role: 'admin', nav: true, render: (props) => <SystemPage user={props.user} client={props.client} /> },
];

/** A route that matched a path, with the decoded values of its `:params`. */
export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** The route for `path` (a trailing slash is ignored), or undefined. */
export function routeFor(path: string): RouteMatch | undefined {
  const segments = split(path);
  for (const route of ROUTES) {
    const params = match(split(route.path), segments);
    if (params) return { route, params };
  }
  return undefined;
}

/** The path of a plugin's page. */
export function pluginPath(name: string): string {
  return `/plugins/${encodeURIComponent(name)}`;
}

function split(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function match(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index]!;
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return undefined; // a malformed escape is no page of ours
      }
    } else if (part !== segment) return undefined;
  }
  return params;
}
