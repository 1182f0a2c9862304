import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { createClock } from '../clock.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { Link } from '../components/link.tsx';
import { PluginCapabilities } from '../components/plugin/plugin-capabilities.tsx';
import { PluginConfig } from '../components/plugin/plugin-config.tsx';
import { PluginLogs } from '../components/plugin/plugin-logs.tsx';
import { PluginTelemetry } from '../components/plugin/plugin-telemetry.tsx';
import { PluginControls } from '../components/plugin-controls.tsx';
import { PluginProblem } from '../components/plugin-problem.tsx';
import { FAILING_STATES, PluginStats } from '../components/plugin-stats.tsx';
import { StaleNotice } from '../components/stale-notice.tsx';
import { StateBadge } from '../components/state-badge.tsx';
import type { KernelClient } from '../kernel-client.ts';
import { hasRole, isAdmin } from '../roles.ts';
import type { SessionUser } from '../session.ts';
import { createPluginList } from '../stores/plugin-list.ts';
import '../styles/plugin-page.css';

type Tab = 'logs' | 'telemetry' | 'capabilities' | 'config';

/** The tabs a role sees: logs, telemetry and config read the kernel's management API, which is for admins. */
function tabsFor(admin: boolean): { id: Tab; label: string }[] {
  const capabilities = { id: 'capabilities' as const, label: 'Capabilities' };
  if (!admin) return [capabilities];
  return [{ id: 'logs', label: 'Logs' }, { id: 'telemetry', label: 'Telemetry' }, capabilities, { id: 'config', label: 'Config' }];
}

/** One plugin: its live state and controls, then logs, telemetry, capabilities (with try-it) and config in tabs. */
export function PluginPage(props: { user: SessionUser; client: KernelClient; name: string }) {
  const list = createPluginList(props.client);
  const now = createClock(1000);
  const admin = () => isAdmin(props.user.role);
  const tabs = () => tabsFor(admin());
  const [tab, setTab] = createSignal<Tab>(tabsFor(isAdmin(props.user.role))[0]!.id);
  const plugin = () => list.plugins()?.find((entry) => entry.name === props.name);

  const onTabKey = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const ids = tabs().map((entry) => entry.id);
    const next = ids[(ids.indexOf(tab()) + (event.key === 'ArrowRight' ? 1 : ids.length - 1)) % ids.length]!;
    setTab(next);
    document.getElementById(`plugin-tab-${next}`)?.focus();
  };

  return (
    <section class="page plugin-page" aria-labelledby="plugin-title">
      <p class="breadcrumb">
        <Link href="/">Plugins</Link> / {props.name}
      </p>
      <ErrorMessage error={list.error()} prefix="Could not load the plugin:" />
      <StaleNotice client={props.client} updatedAt={list.updatedAt()} what="this plugin's state and figures are" />
      <Switch>
        <Match when={list.plugins() === undefined && list.error() === undefined}>
          <p class="muted">Loading {props.name}…</p>
        </Match>
        <Match when={list.plugins() !== undefined && plugin() === undefined}>
          <h1 id="plugin-title">No plugin named {props.name}</h1>
          <p>plugins.json registers no plugin by that name. <Link href="/">See every plugin</Link>.</p>
        </Match>
        <Match when={plugin()}>
          {(current) => (
            <>
              <header class="page-header plugin-header" data-plugin={current().name} data-state={current().state}>
                <div>
                  <h1 id="plugin-title">
                    {current().name} <StateBadge state={current().state} />
                  </h1>
                  <p>{current().description || 'No description.'}</p>
                  <PluginStats plugin={current()} now={now()} showLoad class="inline" />
                </div>
                <Show when={admin()}>
                  <PluginControls plugin={current()} client={props.client} onDone={list.apply} />
                </Show>
              </header>
              <Show when={FAILING_STATES.has(current().state)}>
                <PluginProblem plugin={current()} client={props.client} showLogs={false} />
              </Show>

              <div class="tabs" role="tablist" aria-label={`About ${current().name}`} onKeyDown={onTabKey}>
                <For each={tabs()}>
                  {(entry) => (
                    <button
                      type="button"
                      role="tab"
                      id={`plugin-tab-${entry.id}`}
                      // Only the selected tab's panel is rendered, so only that tab points at one.
                      aria-controls={tab() === entry.id ? `plugin-panel-${entry.id}` : undefined}
                      aria-selected={tab() === entry.id}
                      tabIndex={tab() === entry.id ? 0 : -1}
                      onClick={() => setTab(entry.id)}
                    >
                      {entry.label}
                    </button>
                  )}
                </For>
              </div>
              <div class="tab-panel" role="tabpanel" id={`plugin-panel-${tab()}`} aria-labelledby={`plugin-tab-${tab()}`}>
                <Switch>
                  <Match when={tab() === 'logs'}>
                    <PluginLogs client={props.client} plugin={current().name} />
                  </Match>
                  <Match when={tab() === 'telemetry'}>
                    <PluginTelemetry client={props.client} plugin={current().name} />
                  </Match>
                  <Match when={tab() === 'capabilities'}>
                    <PluginCapabilities client={props.client} plugin={current().name} canCall={hasRole(props.user.role, 'developer')} />
                  </Match>
                  <Match when={tab() === 'config'}>
                    <PluginConfig client={props.client} plugin={current().name} />
                  </Match>
                </Switch>
              </div>
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}
