import { createMemo, createResource, createSignal, Match, onCleanup, Switch } from 'solid-js';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { UsageChart } from '../components/usage/usage-chart.tsx';
import { UsageFilters, type UsageView } from '../components/usage/usage-filters.tsx';
import { distinct, rangeDays, usageSeries } from '../components/usage/usage-series.ts';
import { UsageTable } from '../components/usage/usage-table.tsx';
import { formatCount } from '../format.ts';
import type { KernelClient } from '../kernel-client.ts';
import { loaded } from '../loaded.ts';
import type { SessionUser } from '../session.ts';
import type { UsageDay } from '../usage-types.ts';
import '../styles/usage.css';

/**
 * Tokens used per day (`auth.usage.history`) as a stacked bar chart and a table with the same
 * numbers. Admins see every user's usage; everyone else gets their own, which is all the auth
 * plugin answers them. Reloaded after a reconnect and with the Reload button.
 */
export function UsagePage(props: { user: SessionUser; client: KernelClient }) {
  const isAdmin = () => props.user.role === 'admin';
  // Only admins see more than one user, so everyone else starts with their models side by side.
  const [view, setView] = createSignal<UsageView>({ range: 30, grouping: isAdmin() ? 'user' : 'model', user: '', model: '' });
  // The range ends on the UTC day of the last (re)load, so a page left open past midnight moves on with Reload or a reconnect.
  const [asOf, setAsOf] = createSignal(Date.now());
  // Equal days are the same source: changing the grouping or a filter must not load again.
  const days = createMemo(() => rangeDays(view().range, asOf()), undefined, { equals: (a, b) => a.join() === b.join() });
  const [history, { refetch }] = createResource(days, (range) =>
    props.client.call<UsageDay[]>('auth.usage.history', { from: range[0], to: range[range.length - 1] }),
  );
  const reload = () => {
    const before = days();
    setAsOf(Date.now());
    if (days() === before) void refetch(); // a new day has loaded by itself
  };
  onCleanup(props.client.onReconnect(reload));

  const rows = () => loaded(history) ?? [];
  const users = createMemo(() => distinct(rows(), 'username'));
  const models = createMemo(() => distinct(rows(), 'model'));
  // A filter left over from another range that names nobody in this one shows everything rather than nothing.
  const userFilter = () => (users().includes(view().user) ? view().user : '');
  const modelFilter = () => (models().includes(view().model) ? view().model : '');
  const series = createMemo(() => {
    const shown = rows().filter((row) => (userFilter() === '' || row.username === userFilter()) && (modelFilter() === '' || row.model === modelFilter()));
    return usageSeries(shown, days(), view().grouping);
  });

  return (
    <section class="page usage-page" aria-labelledby="usage-title">
      <header class="page-header">
        <div>
          <h1 id="usage-title">Usage</h1>
          <p class="muted">
            {isAdmin() ? "Every user's tokens" : 'Your tokens'} per day, as the auth plugin metered them (prompt + completion, by UTC day).
          </p>
        </div>
        <button type="button" class="button" onClick={reload} disabled={history.loading}>
          {history.loading ? 'Loading…' : 'Reload'}
        </button>
      </header>

      <UsageFilters
        view={{ ...view(), user: userFilter(), model: modelFilter() }}
        users={users()}
        models={models()}
        showUsers={isAdmin() && users().length > 1}
        onChange={setView}
      />

      <ErrorMessage error={history.error} prefix="Could not load the usage:" />
      <Switch>
        <Match when={history.loading && !loaded(history)}>
          <p class="muted">Loading usage…</p>
        </Match>
        <Match when={loaded(history) && series().total === 0}>
          <EmptyState title={`No tokens used in the last ${view().range} days`}>
            <p>Usage appears here once a model answers {isAdmin() ? 'someone' : 'you'} (it is metered by the auth plugin).</p>
          </EmptyState>
        </Match>
        <Match when={loaded(history)}>
          <dl class="facts usage-totals" aria-label="Totals">
            <div>
              <dt>Tokens</dt>
              <dd data-total="tokens">{formatCount(series().total)}</dd>
            </div>
            <div>
              <dt>Prompt</dt>
              <dd>{formatCount(series().promptTokens)}</dd>
            </div>
            <div>
              <dt>Completion</dt>
              <dd>{formatCount(series().completionTokens)}</dd>
            </div>
            <div>
              <dt>Requests</dt>
              <dd>{formatCount(series().requests)}</dd>
            </div>
          </dl>
          <UsageChart series={series()} />
          <UsageTable series={series()} grouping={view().grouping} />
        </Match>
      </Switch>
    </section>
  );
}
