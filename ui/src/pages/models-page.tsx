import { Match, Show, Switch } from 'solid-js';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { StaleNotice } from '../components/stale-notice.tsx';
import { Link } from '../components/link.tsx';
import { DownloadForm } from '../components/models/download-form.tsx';
import { formatBytes } from '../components/models/model-format.ts';
import { ModelsTable } from '../components/models/models-table.tsx';
import type { KernelClient } from '../kernel-client.ts';
import { isAdmin } from '../roles.ts';
import type { SessionUser } from '../session.ts';
import { createModelsStore, LLM_PLUGIN } from '../stores/models.ts';
import '../styles/models.css';

/** llmserver's models with their state and size; admins load, unload, download and delete them and set their limits. */
export function ModelsPage(props: { user: SessionUser; client: KernelClient }) {
  const admin = () => isAdmin(props.user.role);
  const store = createModelsStore(props.client, { admin: admin() });
  const refresh = () => void store.refresh();
  const count = (state: string) => store.models()?.filter((model) => model.state === state).length ?? 0;
  const notRunning = () => {
    const current = store.availability();
    return current.status === 'not-running' ? current : undefined;
  };

  return (
    <section class="page models-page" aria-labelledby="models-title">
      <header class="page-header">
        <div>
          <h1 id="models-title">Models</h1>
          <Show when={store.availability().status === 'ready' && store.models()}>
            <p class="summary" data-testid="models-summary">
              <span>{store.models()!.length === 1 ? '1 model' : `${store.models()!.length} models`}</span>
              <span>{count('loaded')} loaded</span>
              <Show when={count('downloading') > 0}>
                <span>{count('downloading')} downloading</span>
              </Show>
            </p>
          </Show>
        </div>
        <Show when={store.availability().status === 'ready' && store.status()}>
          {(status) => (
            <dl class="facts kernel-status" aria-label="llmserver">
              <div>
                <dt>RAM in use</dt>
                <dd>
                  {formatBytes(status().ramUsedBytes)} of {formatBytes(status().ramBudgetBytes)}
                </dd>
              </div>
              <div>
                <dt>Models folder</dt>
                <dd class="models-dir" title={status().modelsDir}>
                  {status().modelsDir}
                </dd>
              </div>
            </dl>
          )}
        </Show>
      </header>

      <StaleNotice client={props.client} updatedAt={store.updatedAt()} what="this list is" />
      <Show when={!admin()}>
        <p class="notice">Read-only: only admins can load, unload, download and delete models or change their limits.</p>
      </Show>

      <Switch>
        <Match when={store.availability().status === 'checking' && store.error() === undefined}>
          <p class="muted">Loading models…</p>
        </Match>
        <Match when={store.availability().status === 'absent'}>
          <EmptyState title="This kernel has no llmserver plugin.">
            <p>
              Models are served by the {LLM_PLUGIN} plugin; register it in plugins.json (see plugins/llmserver/README.md). The <Link href="/">dashboard</Link> lists the
              plugins this kernel runs.
            </p>
          </EmptyState>
        </Match>
        <Match when={notRunning()}>
          {(current) => (
            <div class="notice warning models-unavailable" role="status">
              <p>
                <strong>{LLM_PLUGIN} is not running</strong> (state: {current().state}), so its models cannot be listed.
              </p>
              <Show when={current().lastError}>{(reason) => <p class="muted">Last error: {reason()}</p>}</Show>
              <p>
                {admin() ? 'Start it from the ' : 'An admin can start it from the '}
                <Link href="/">dashboard</Link>; this page updates when it runs.
              </p>
            </div>
          )}
        </Match>
        <Match when={store.availability().status === 'ready'}>
          <Show when={store.models()?.length === 0}>
            <EmptyState title="No models yet.">
              <p>
                Copy a <code>.gguf</code> file into <code>{store.directory()}</code>
                {admin() ? ', or download one below.' : ', or ask an admin to download one.'}
              </p>
            </EmptyState>
          </Show>
          <Show when={store.models()?.length}>
            <ModelsTable models={store.models()!} status={store.status()} config={store.config()} admin={admin()} client={props.client} onChanged={refresh} />
          </Show>
          <Show when={admin()}>
            <ErrorMessage error={store.configError()} prefix="Could not read llmserver's config, so limits are not shown:" />
            <DownloadForm client={props.client} onStarted={refresh} onFinished={refresh} />
          </Show>
        </Match>
      </Switch>
      <ErrorMessage error={store.error()} prefix="Could not load the models:" />
    </section>
  );
}
