import { ErrorBoundary, Show, Suspense } from 'solid-js';
import { ConnectionBadge } from './components/connection-badge.tsx';
import { Link } from './components/link.tsx';
import { NavBar } from './components/nav-bar.tsx';
import { ThemeSwitcher } from './components/theme-switcher.tsx';
import { UserMenu } from './components/user-menu.tsx';
import type { KernelClient } from './kernel-client.ts';
import { NotAllowedPage } from './pages/not-allowed-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { PageFailed } from './pages/page-failed.tsx';
import { hasRole } from './roles.ts';
import { routeFor } from './routes.tsx';
import { path } from './router.ts';
import type { SessionUser } from './session.ts';

/** The signed-in frame: header (pages, connection state, theme, user) and the current page. */
export function Shell(props: { user: SessionUser; client: KernelClient }) {
  const route = () => routeFor(path());
  return (
    <div class="shell">
      <header class="topbar">
        <Link href="/" class="brand">
          <span class="brand-mark" aria-hidden="true" />
          CyberDevStudio
        </Link>
        <NavBar user={props.user} />
        <div class="topbar-end">
          <ConnectionBadge client={props.client} />
          <ThemeSwitcher />
          <UserMenu user={props.user} />
        </div>
      </header>
      <main class="content">
        <Show when={route()} keyed fallback={<NotFoundPage />}>
          {(current) =>
            hasRole(props.user.role, current.route.role) ? (
              <ErrorBoundary fallback={(error, reset) => <PageFailed page={current.route.label} error={error} retry={reset} />}>
                <Suspense fallback={<p class="muted page">Loading {current.route.label.toLowerCase()}…</p>}>
                  {current.route.render({ user: props.user, client: props.client, params: current.params })}
                </Suspense>
              </ErrorBoundary>
            ) : (
              <NotAllowedPage user={props.user} page={current.route.label} role={current.route.role} />
            )
          }
        </Show>
      </main>
      <footer class="footer">
        studio {__STUDIO_VERSION__} · built {new Date(__STUDIO_BUILT_AT__).toLocaleString()} · <a href="/health">/health</a> ·{' '}
        <a href="/metrics">/metrics</a>
      </footer>
    </div>
  );
}
