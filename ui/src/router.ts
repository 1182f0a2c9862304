import { createSignal } from 'solid-js';

// History routing needs nothing more than the path: the admin-ui plugin answers every page
// path with index.html, and the studio has a handful of fixed routes.

const [path, setPath] = createSignal(location.pathname);
window.addEventListener('popstate', () => setPath(location.pathname));

/** The current path, e.g. `/users`. */
export { path };

/** Goes to `to` without reloading the page. */
export function navigate(to: string): void {
  if (to === location.pathname) return;
  history.pushState(null, '', to);
  setPath(to);
  window.scrollTo(0, 0);
}
