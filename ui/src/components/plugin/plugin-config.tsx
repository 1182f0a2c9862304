import { BusError, ErrorCode } from '@cyberstudio/sdk';
import { createMemo, createSignal, For, lazy, onCleanup, Show, Suspense } from 'solid-js';
import type { PluginDetails, SchemaIssue, SetConfigResult } from '../../capability-types.ts';
import type { KernelClient } from '../../kernel-client.ts';
import { ErrorMessage } from '../error-message.tsx';
import type { FieldIssue } from '../schema-form/validate-config.ts';

// The form and the validator (@cfworker/json-schema) load with the tab, not with the studio.
type ConfigValidator = typeof import('../schema-form/validate-config.ts');
const SchemaForm = lazy(() => import('../schema-form/schema-form.tsx').then((module) => ({ default: module.SchemaForm })));

/** What setConfig did, in a sentence. */
function describeOutcome(result: SetConfigResult): string {
  switch (result.applied) {
    case 'live':
      return `Saved. ${result.plugin} applied the new config live, without a restart.`;
    case 'restart':
      return `Saved. ${result.plugin} restarted with the new config (now ${result.state}).`;
    case 'next-start':
      return `Saved. ${result.plugin} is not running; the new config takes effect at its next start.`;
    default:
      return result.applied satisfies never;
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The Config tab (admins): a form generated from the plugin's config schema, checked in the browser, saved with kernel.plugins.setConfig. */
export function PluginConfig(props: { client: KernelClient; plugin: string }) {
  const [details, setDetails] = createSignal<PluginDetails>();
  const [validator, setValidator] = createSignal<ConfigValidator>();
  const [loadError, setLoadError] = createSignal<unknown>();
  const [config, setConfigValue] = createSignal<unknown>({});
  const [saved, setSaved] = createSignal<unknown>({});
  const [asJson, setAsJson] = createSignal(false);
  const [unparsable, setUnparsable] = createSignal<ReadonlyMap<string, string>>(new Map());
  const [kernelIssues, setKernelIssues] = createSignal<FieldIssue[]>([]);
  const [attempted, setAttempted] = createSignal(false);
  const [saving, setSaving] = createSignal(false);
  const [outcome, setOutcome] = createSignal<SetConfigResult>();
  const [saveError, setSaveError] = createSignal<unknown>();

  // The kernel checks against the handshake's schema first, then plugins.json's: the same order here.
  const schema = () => details()?.handshake?.configSchema ?? details()?.manifest.configSchema;
  const localIssues = createMemo(() => {
    const check = validator();
    const current = schema();
    return check === undefined || current === undefined ? [] : check.validateAgainst(current, config());
  });
  const issues = () => [...localIssues(), ...kernelIssues()];
  const dirty = () => !same(config(), saved());
  const blocking = () => [...[...unparsable()].map(([pointer, message]) => ({ pointer, message })), ...localIssues()];

  const load = async () => {
    try {
      const [answer, check] = await Promise.all([props.client.call<PluginDetails>('kernel.plugins.get', { plugin: props.plugin }), import('../schema-form/validate-config.ts')]);
      setValidator(check);
      const current = answer.config ?? answer.manifest.config ?? {};
      setDetails(answer);
      setLoadError(undefined);
      // A reload (after a reconnect) that answers once the admin has started editing must not wipe the edits.
      if (!dirty()) setConfigValue(current);
      setSaved(current);
    } catch (error) {
      setLoadError(error);
    }
  };
  void load();
  // After a reconnect the config may have changed elsewhere; unsaved edits are never replaced.
  onCleanup(
    props.client.onReconnect(() => {
      if (!dirty()) void load();
    }),
  );

  const edit = (value: unknown) => {
    setConfigValue(value);
    setKernelIssues([]);
    setOutcome(undefined);
  };

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    setAttempted(true);
    setOutcome(undefined);
    setSaveError(undefined);
    if (blocking().length > 0) return;
    setSaving(true);
    const sent = config();
    try {
      const result = await props.client.call<SetConfigResult>('kernel.plugins.setConfig', { plugin: props.plugin, config: sent });
      setSaved(sent);
      setAttempted(false);
      setOutcome(result);
    } catch (error) {
      const errors = error instanceof BusError && error.code === ErrorCode.CapabilityInvalidParams ? (error.data as { errors?: SchemaIssue[] } | undefined)?.errors : undefined;
      setKernelIssues(Array.isArray(errors) ? validator()!.issuesFromKernel(errors) : []);
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section class="plugin-config" aria-labelledby="plugin-config-title">
      <div class="config-header">
        <h2 id="plugin-config-title">Config</h2>
        <Show when={details() && schema() !== undefined}>
          <button type="button" class="button" aria-pressed={asJson()} disabled={asJson() && unparsable().size > 0} onClick={() => setAsJson(!asJson())}>
            {asJson() ? 'Edit as a form' : 'Edit as JSON'}
          </button>
        </Show>
      </div>
      <ErrorMessage error={loadError()} prefix="Could not load the config:" />
      <Show when={details() === undefined && loadError() === undefined}>
        <p class="muted">Loading the config…</p>
      </Show>
      <Show when={details()}>
        {(current) => (
          <form class="config-form" aria-label={`Config of ${props.plugin}`} noValidate onSubmit={save}>
            <p class="muted">
              <Show
                when={schema() !== undefined}
                fallback={`${props.plugin} has published no config schema${current().handshake === null ? ' (it has not run yet)' : ''}, so there is no form: edit its config as JSON. The kernel only checks that it is a JSON object.`}
              >
                Checked against {props.plugin}'s config schema before anything is sent.{' '}
                {current().handshake?.liveConfig ? `${props.plugin} applies a new config live.` : `Saving restarts ${props.plugin} if it is running.`}
              </Show>
            </p>
            <Suspense fallback={<p class="muted">Loading the form…</p>}>
              <SchemaForm schema={schema() ?? true} value={config()} onChange={edit} issues={issues()} idPrefix={`config-${props.plugin}`} asJson={asJson() || schema() === undefined} onUnparsable={setUnparsable} />
            </Suspense>
            <Show when={attempted() && blocking().length > 0}>
              <div class="error-message config-problems" role="alert">
                <p>
                  <strong>Nothing was sent.</strong> Fix {blocking().length === 1 ? 'this problem' : `these ${blocking().length} problems`} first:
                </p>
                <ul>
                  <For each={blocking()}>{(issue) => <li>{issue.pointer === '' ? 'The config' : issue.pointer.slice(1)}: {issue.message}</li>}</For>
                </ul>
              </div>
            </Show>
            <ErrorMessage error={saveError()} prefix="The kernel did not accept the config:" />
            <div class="form-actions">
              <button type="submit" class="button primary" disabled={saving()}>
                {saving() ? 'Saving…' : 'Save config'}
              </button>
              <button type="button" class="button" disabled={!dirty() || saving()} onClick={() => edit(saved())}>
                Revert
              </button>
              <span class="muted">{dirty() ? 'Unsaved changes.' : 'No unsaved changes.'}</span>
            </div>
            <p class="config-outcome" role="status">
              {outcome() ? describeOutcome(outcome()!) : ''}
            </p>
          </form>
        )}
      </Show>
    </section>
  );
}
