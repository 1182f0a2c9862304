import { createSignal, Match, Show, Switch } from 'solid-js';
import type { KernelClient } from '../../kernel-client.ts';
import type { LoadedModelStatus, ModelEntry, ModelLimits } from '../../models-types.ts';
import { ErrorMessage } from '../error-message.tsx';
import { createModelActions } from './model-actions.ts';
import { describeLimits, formatBytes, formatParameters } from './model-format.ts';
import { ModelLimitsForm } from './model-limits-form.tsx';
import { ModelStateBadge } from './model-state-badge.tsx';

/** What a row needs besides the model: admins get the limits and the controls. */
export interface ModelRowProps {
  model: ModelEntry;
  /** The model's line of `llm.status` while it is loaded. */
  loaded: LoadedModelStatus | undefined;
  admin: boolean;
  limits: ModelLimits | undefined;
  currency: string;
  columns: number;
  client: KernelClient;
  onChanged: () => void;
}

/** One model in the table, plus a line under it for its error, a delete confirmation or its limits form. */
export function ModelRow(props: ModelRowProps) {
  const actions = createModelActions(props.client, () => props.model, props.onChanged);
  const [limitsOpen, setLimitsOpen] = createSignal(false);
  const local = () => props.model.kind === 'local';
  // As the dashboard's controls: offline, a click could only wait and fail, and the state shown may be stale.
  const blocked = () => actions.busy() !== undefined || props.client.state().status !== 'connected';
  const details = () => props.model.error !== undefined || actions.failure() !== undefined || actions.confirmingDelete() || limitsOpen();
  const percent = () => {
    const { downloadedBytes, totalBytes } = props.model;
    return downloadedBytes !== undefined && totalBytes ? Math.floor((downloadedBytes / totalBytes) * 100) : undefined;
  };
  const subtitle = () => {
    const { provider, name, architecture, quantization } = props.model;
    if (provider) return `${provider.model} at ${provider.host}`;
    return [name !== props.model.id ? name : undefined, architecture, quantization].filter(Boolean).join(' · ');
  };
  const limitsText = () => describeLimits(props.limits, props.currency);

  return (
    <>
      <tr data-model={props.model.id} data-state={props.model.state} classList={{ 'model-row': true, 'has-details': details() }}>
        <td>
          <code class="model-id">{props.model.id}</code>
          <Show when={subtitle()}>{(text) => <div class="model-subtitle">{text()}</div>}</Show>
        </td>
        <td>
          <ModelStateBadge state={props.model.state} />
          <Show when={percent()}>{(value) => <div class="model-subtitle">{value()}% downloaded</div>}</Show>
        </td>
        <td>
          <span class="tag" data-kind={props.model.kind}>{props.model.kind}</span>
        </td>
        <td class="numeric" data-cell="size">{local() ? formatBytes(props.model.sizeBytes) : '—'}</td>
        <td class="numeric" data-cell="parameters">{props.model.parameters === null ? '—' : formatParameters(props.model.parameters)}</td>
        <td class="numeric" data-cell="ram">{props.model.ramBytes === undefined ? '—' : formatBytes(props.model.ramBytes)}</td>
        <td class="numeric" data-cell="context">
          <Switch fallback="—">
            <Match when={props.loaded?.contextSize}>
              {(size) => (
                <span title="Tokens per sequence of the loaded model">
                  {size().toLocaleString()} <small class="muted">in use</small>
                </span>
              )}
            </Match>
            <Match when={props.model.contextLength}>
              {(length) => (
                <span title="The context length the model was trained with">
                  {length().toLocaleString()} <small class="muted">trained</small>
                </span>
              )}
            </Match>
          </Switch>
        </td>
        <Show when={props.admin}>
          <td data-cell="limits" class="model-limits-cell">
            <Show when={limitsText().length > 0} fallback={<span class="muted">defaults</span>}>
              {limitsText().join(', ')}
            </Show>
          </td>
          <td class="actions">
            <div class="model-buttons">
              <Show when={local() && props.model.state !== 'downloading'}>
                <Show
                  when={props.model.state === 'loaded'}
                  fallback={
                    <button type="button" class="button" aria-label={`Load ${props.model.id}`} disabled={blocked() || props.model.state === 'loading'} onClick={() => void actions.run('load')}>
                      {actions.busy() === 'load' || props.model.state === 'loading' ? 'Loading…' : 'Load'}
                    </button>
                  }
                >
                  <button type="button" class="button" aria-label={`Unload ${props.model.id}`} disabled={blocked()} onClick={() => void actions.run('unload')}>
                    {actions.busy() === 'unload' ? 'Unloading…' : 'Unload'}
                  </button>
                </Show>
              </Show>
              <button type="button" class="button" aria-label={`Limits of ${props.model.id}`} aria-expanded={limitsOpen()} onClick={() => setLimitsOpen(!limitsOpen())}>
                Limits
              </button>
              <Show when={local()}>
                <button type="button" class="button" aria-label={`Delete ${props.model.id}`} disabled={blocked()} onClick={actions.askDelete}>
                  {actions.busy() === 'delete' ? 'Deleting…' : 'Delete'}
                </button>
              </Show>
            </div>
          </td>
        </Show>
      </tr>
      <Show when={details()}>
        <tr class="model-details" data-details-of={props.model.id}>
          <td colSpan={props.columns}>
            <Show when={props.model.error}>{(reason) => <p class="model-problem"><strong>Cannot be used:</strong> {reason()}</p>}</Show>
            <Show when={actions.failure()}>{(failed) => <ErrorMessage error={failed().error} prefix={`Could not ${failed().action} ${props.model.id}:`} />}</Show>
            <Show when={actions.confirmingDelete()}>
              <div class="confirm" role="alertdialog" aria-label={`Delete ${props.model.id}?`}>
                <p>
                  Delete <strong>{props.model.id}</strong>? Its file ({formatBytes(props.model.sizeBytes)}) is removed from the models folder
                  {props.model.state === 'downloading' ? ' and its download is stopped' : ''}; a loaded model is unloaded first.
                </p>
                <button type="button" class="button danger" disabled={blocked()} onClick={() => void actions.run('delete')}>
                  Delete {props.model.id}
                </button>
                <button type="button" class="button" onClick={actions.cancelDelete}>
                  Cancel
                </button>
              </div>
            </Show>
            <Show when={limitsOpen()}>
              <ModelLimitsForm client={props.client} model={props.model} limits={props.limits} currency={props.currency} onSaved={props.onChanged} />
            </Show>
          </td>
        </tr>
      </Show>
    </>
  );
}
