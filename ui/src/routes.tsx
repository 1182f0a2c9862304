import type { JSX } from 'solid-js';
import type { KernelClient } from './kernel-client.ts';
import { DashboardPage } from './pages/dashboard-page.tsx';
import { UsersPage } from './pages/users-page.tsx';
import type { SessionUser } from './session.ts';

/** A page of the studio: its path, its name in the navigation, and whether only admins may use it. */
export interface Route {
  path: string;
  label: string;
  adminOnly: boolean;
  render(props: { user: SessionUser; client: KernelClient }): JSX.Element;
}

/** Every page, in navigation order. */
export const ROUTES: readonly Route[] = [
  { path: '/', label: 'Dashboard', adminOnly: false, render: (props) => <DashboardPage user={props.user} client={props.client} /> },
  { path: '/users', label: 'Users and API keys', adminOnly: true, render: (props) => <UsersPage client={props.client} /> },
];

/** The route for `path` (a trailing slash is ignored), or undefined. */
export function routeFor(path: string): Route | undefined {
  const normalized = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return ROUTES.find((route) => route.path === normalized);
}
