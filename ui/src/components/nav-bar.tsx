import { For } from 'solid-js';
import { ROUTES } from '../routes.tsx';
import { isAdmin } from '../roles.ts';
import type { SessionUser } from '../session.ts';
import { Link } from './link.tsx';

/** The pages this user may open; admin pages are not listed for other roles. */
export function NavBar(props: { user: SessionUser }) {
  const visible = () => ROUTES.filter((route) => !route.adminOnly || isAdmin(props.user.role));
  return (
    <nav class="nav" aria-label="Pages">
      <For each={visible()}>{(route) => <Link href={route.path} class="nav-link">{route.label}</Link>}</For>
    </nav>
  );
}
