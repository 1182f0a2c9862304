import { For, Show } from 'solid-js';
import type { KernelClient } from '../../kernel-client.ts';
import type { LlmConfigView, LlmStatus, ModelEntry } from '../../models-types.ts';
import { ModelRow } from './model-row.tsx';

/** The models, loaded ones first; admins also see each model's limits and its controls. */
export function ModelsTable(props: {
  models: ModelEntry[];
  status: LlmStatus | undefined;
  config: LlmConfigView | undefined;
  admin: boolean;
  client: KernelClient;
  onChanged: () => void;
}) {
  const columns = () => (props.admin ? 9 : 7);
  const loaded = (id: string) => props.status?.models.find((model) => model.id === id);
  return (
    <table class="table models-table" aria-label="Models">
      <thead>
        <tr>
          <th scope="col">Model</th>
          <th scope="col">State</th>
          <th scope="col">Kind</th>
          <th scope="col" class="numeric">Size</th>
          <th scope="col" class="numeric">Parameters</th>
          <th scope="col" class="numeric">RAM</th>
          <th scope="col" class="numeric">Context</th>
          <Show when={props.admin}>
            <th scope="col">Limits</th>
            <th scope="col" class="actions">
              <span class="visually-hidden">Actions</span>
            </th>
          </Show>
        </tr>
      </thead>
      <tbody>
        <For each={props.models}>
          {(model) => (
            <ModelRow
              model={model}
              loaded={loaded(model.id)}
              admin={props.admin}
              limits={props.config?.models?.[model.id]}
              currency={props.config?.costCurrency ?? 'USD'}
              columns={columns()}
              client={props.client}
              onChanged={props.onChanged}
            />
          )}
        </For>
      </tbody>
    </table>
  );
}
