import { createSignal, For, onCleanup, Show } from 'solid-js';
import type { CapabilityInfo } from '../../capability-types.ts';
import type { KernelClient } from '../../kernel-client.ts';
import '../../styles/capabilities.css';
import { CapabilityCard } from '../capabilities/capability-card.tsx';
import { EmptyState } from '../empty-state.tsx';
import { ErrorMessage } from '../error-message.tsx';

/** Above this many capabilities the tab offers a filter. */
const FILTER_FROM = 6;

/**
 * The Capabilities tab (every role): each capability of the plugin with its schemas; callers
 * allowed to call (developers and admins) get a try-it panel, viewers a note saying why not.
 */
export function PluginCapabilities(props: { client: KernelClient; plugin: string; canCall: boolean }) {
  const [capabilities, setCapabilities] = createSignal<CapabilityInfo[]>();
  const [error, setError] = createSignal<unknown>();
  const [filter, setFilter] = createSignal('');
  const [loading, setLoading] = createSignal(false);

  const load = async () => {
    setLoading(true);
    try {
      const next = await props.client.call<CapabilityInfo[]>('kernel.plugins.capabilities', { plugin: props.plugin });
      // Unchanged entries keep their identity, so an open try-it panel survives a reload.
      const previous = new Map((capabilities() ?? []).map((entry) => [entry.name, entry]));
      setCapabilities(next.map((entry) => (JSON.stringify(previous.get(entry.name)) === JSON.stringify(entry) ? previous.get(entry.name)! : entry)));
      setError(undefined);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  };
  void load();
  onCleanup(props.client.onReconnect(() => void load()));

  const shown = () => {
    const words = filter().trim().toLowerCase();
    return (capabilities() ?? []).filter((capability) => words === '' || `${capability.name} ${capability.description ?? ''}`.toLowerCase().includes(words));
  };
  const unknown = () => (capabilities() ?? []).some((capability) => capability.params === null);

  return (
    <section class="plugin-capabilities" aria-labelledby="plugin-capabilities-title">
      <div class="capabilities-header">
        <h2 id="plugin-capabilities-title">Capabilities</h2>
        <Show when={(capabilities()?.length ?? 0) > FILTER_FROM}>
          <label class="capabilities-filter">
            Filter
            <input type="search" value={filter()} placeholder="name or description" onInput={(event) => setFilter(event.currentTarget.value)} />
          </label>
        </Show>
      </div>
      <Show when={!props.canCall}>
        <p class="notice">You can read the schemas here. Running a capability needs the developer or admin role; ask an admin if you need it.</p>
      </Show>
      <Show when={unknown()}>
        <p class="notice warning">
          Some schemas are not known yet: {props.plugin} publishes them when it starts.{' '}
          <button type="button" class="link-button" disabled={loading()} onClick={() => void load()}>
            Load them again
          </button>
        </p>
      </Show>
      <ErrorMessage error={error()} prefix="Could not load the capabilities:" />
      <Show when={capabilities() === undefined && error() === undefined}>
        <p class="muted">Loading the capabilities…</p>
      </Show>
      <Show when={capabilities()?.length === 0}>
        <EmptyState title={`${props.plugin} provides no capabilities`}>
          <p>plugins.json lists none for it, and it has not declared any in its handshake.</p>
        </EmptyState>
      </Show>
      <Show when={(capabilities()?.length ?? 0) > 0 && shown().length === 0}>
        <p class="muted">No capability matches “{filter()}”.</p>
      </Show>
      <div class="capability-list">
        <For each={shown()}>{(capability) => <CapabilityCard client={props.client} capability={capability} canCall={props.canCall} />}</For>
      </div>
    </section>
  );
}
