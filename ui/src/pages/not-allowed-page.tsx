import { Link } from '../components/link.tsx';
import type { Role } from '../roles.ts';
import type { SessionUser } from '../session.ts';

/** What a signed-in user sees on a page their role may not use. */
export function NotAllowedPage(props: { user: SessionUser; page: string; role: Role }) {
  return (
    <section class="page narrow" aria-labelledby="not-allowed-title">
      <h1 id="not-allowed-title">Not allowed</h1>
      <p>
        {props.page} is for {props.role === 'admin' ? 'admins' : 'developers and admins'}. You are signed in as <strong>{props.user.name}</strong> with the role <strong>{props.user.role}</strong>.
      </p>
      <p>
        <Link href="/">Back to the dashboard</Link>
      </p>
    </section>
  );
}
