import { For } from 'solid-js';
import { ROUTES } from '../routes.tsx';
import { hasRole } from '../roles.ts';
import type { SessionUser } from '../session.ts';
import { Link } from './link.tsx';

/** The pages this user may open; pages above the user's role are not listed. */
export function NavBar(props: { user: SessionUser }) {
  const visible = () => ROUTES.filter((route) => route.nav && hasRole(props.user.role, route.role));
  return (
    <nav class="nav" aria-label="Pages">
      <For each={visible()}>{(route) => <Link href={route.path} class="nav-link">{route.label}</Link>}</For>
    </nav>
  );
}
