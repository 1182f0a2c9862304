import { Link } from '../components/link.tsx';
import { path } from '../router.ts';

/** The answer for a path the studio has no page for. */
export function NotFoundPage() {
  return (
    <section class="page narrow" aria-labelledby="not-found-title">
      <h1 id="not-found-title">No such page</h1>
      <p>
        The studio has no page at <code>{path()}</code>.
      </p>
      <p>
        <Link href="/">Go to the dashboard</Link>
      </p>
    </section>
  );
}
