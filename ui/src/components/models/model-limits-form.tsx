import { createSignal, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { KernelClient } from '../../kernel-client.ts';
import type { ModelEntry, ModelLimits } from '../../models-types.ts';
import { ErrorMessage } from '../error-message.tsx';
import { LIMIT_FIELDS, limitValues, parseLimits, saveModelLimits, type LimitValues, type SetConfigAnswer } from './model-limits.ts';

const APPLIED: Record<SetConfigAnswer['applied'], string> = {
  live: 'Saved and applied live: no restart.',
  restart: 'Saved: llmserver restarted with the new config.',
  'next-start': 'Saved: llmserver is not running, so it applies at its next start.',
};

/**
 * An admin's form for one model's limits (llmserver config `models.<id>`). Numbers are checked
 * against the config schema's bounds before anything is sent; an empty field removes that limit.
 */
export function ModelLimitsForm(props: { client: KernelClient; model: ModelEntry; limits: ModelLimits | undefined; currency: string; onSaved: () => void }) {
  const [values, setValues] = createStore<LimitValues>(limitValues(props.limits));
  const [fieldErrors, setFieldErrors] = createSignal<Partial<LimitValues>>({});
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const [saved, setSaved] = createSignal<string>();
  const fields = () => LIMIT_FIELDS.filter((field) => !(field.localOnly && props.model.kind === 'remote'));
  const fieldId = (name: string) => `limit-${props.model.id}-${name}`;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSaved(undefined);
    setError(undefined);
    const parsed = parseLimits(values, props.model.kind);
    if ('errors' in parsed) return void setFieldErrors(parsed.errors);
    setFieldErrors({});
    setBusy(true);
    try {
      const answer = await saveModelLimits(props.client, props.model.id, parsed.limits);
      const reload = props.model.state === 'loaded' && (parsed.limits.contextSize !== props.limits?.contextSize || parsed.limits.threads !== props.limits?.threads);
      setSaved(APPLIED[answer.applied] + (reload ? ' Context size and threads apply when the model is loaded again.' : ''));
      props.onSaved();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="model-limits" aria-label={`Limits of ${props.model.id}`} onSubmit={submit} noValidate>
      <p class="muted model-limits-intro">
        Limits of <code>{props.model.id}</code> in llmserver's config (<code>models.{props.model.id}</code>). Leave a field empty for the default.
      </p>
      <div class="model-limits-grid">
        <For each={fields()}>
          {(field) => (
            <label for={fieldId(field.name)}>
              <span>{field.label}</span>
              <input
                id={fieldId(field.name)}
                name={field.name}
                inputmode={field.integer ? 'numeric' : 'decimal'}
                autocomplete="off"
                value={values[field.name]}
                aria-invalid={fieldErrors()[field.name] !== undefined}
                aria-describedby={`${fieldId(field.name)}-hint`}
                onInput={(event) => {
                  setValues(field.name, event.currentTarget.value);
                  setSaved(undefined); // "Saved" no longer describes what the form holds
                }}
              />
              <small id={`${fieldId(field.name)}-hint`} classList={{ 'field-error': fieldErrors()[field.name] !== undefined }}>
                {fieldErrors()[field.name] ?? (field.name.startsWith('cost') ? `${props.currency} ${field.hint}` : field.hint)}
              </small>
            </label>
          )}
        </For>
      </div>
      <div class="form-actions">
        <button type="submit" class="button primary" disabled={busy()}>
          {busy() ? 'Saving…' : 'Save limits'}
        </button>
        <Show when={saved()}>{(message) => <span class="success" role="status">{message()}</span>}</Show>
      </div>
      <ErrorMessage error={error()} prefix="Could not save the limits:" />
    </form>
  );
}
