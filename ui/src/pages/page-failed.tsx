import { describeError } from '../api.ts';

/**
 * What shows instead of a page that could not be loaded or threw while rendering (a new build
 * deployed under an open tab, a network drop mid-load, a bug): the page's name, the reason, and
 * ways out. The rest of the studio keeps working.
 */
export function PageFailed(props: { page: string; error: unknown; retry: () => void }) {
  return (
    <section class="page narrow" aria-labelledby="page-failed-title">
      <h1 id="page-failed-title">{props.page} could not be shown</h1>
      <p class="notice warning" role="alert">
        {describeError(props.error)}
      </p>
      <p>
        If the studio was updated since this tab opened, reloading fetches the new version.
      </p>
      <p class="form-actions">
        <button type="button" class="button" onClick={() => props.retry()}>
          Try again
        </button>
        <button type="button" class="button" onClick={() => location.reload()}>
          Reload the studio
        </button>
      </p>
    </section>
  );
}
