import { For, Show } from 'solid-js';
import type { HealthReport } from '../../system-types.ts';
import { ErrorMessage } from '../error-message.tsx';
import { createPoll } from './create-poll.ts';

const HEALTH_POLL_MS = 5000;

const VERDICT: Record<HealthReport['status'], { tone: string; text: string }> = {
  ok: { tone: 'good', text: 'Every required plugin is running and no optional one is failing.' },
  degraded: { tone: 'busy', text: 'An optional plugin is crashed, backing off, quarantined or unhealthy.' },
  down: { tone: 'bad', text: 'A required plugin is not running: the gateway answers /health with 503.' },
};

/** `GET /health`; its body is the report for 503 (down) too. */
async function fetchHealth(signal: AbortSignal): Promise<HealthReport> {
  const response = await fetch('/health', { cache: 'no-store', signal, headers: { accept: 'application/json' } });
  if (response.status !== 200 && response.status !== 503) throw new Error(`/health answered HTTP ${response.status}`);
  return (await response.json()) as HealthReport;
}

/** Plugins that make the verdict what it is: required ones not running, enabled optional ones failing. */
function culprits(report: HealthReport): HealthReport['plugins'] {
  const failing = new Set(['crashed', 'backoff', 'quarantined', 'unhealthy']);
  return report.plugins.filter((plugin) => (plugin.required && plugin.state !== 'running') || (!plugin.required && plugin.enabled && failing.has(plugin.state)));
}

/**
 * The kernel's health as probes see it: the current `/health` verdict (polled every few
 * seconds) with the plugins behind it, and the public `/health` and `/metrics` endpoints to open.
 */
export function HealthPanel() {
  const health = createPoll(fetchHealth, HEALTH_POLL_MS);
  return (
    <section class="card system-card" aria-labelledby="system-health-title">
      <h2 id="system-health-title">Health</h2>
      <ErrorMessage error={health.error()} prefix="Could not read /health:" />
      <Show when={health.value()} fallback={<p class="muted">Asking /health…</p>}>
        {(report) => (
          <>
            <p class="system-verdict" role="status">
              <span class="state-badge" data-tone={VERDICT[report().status].tone} data-health={report().status}>
                {report().status}
              </span>{' '}
              {VERDICT[report().status].text}
            </p>
            <Show when={culprits(report()).length > 0}>
              <ul class="system-culprits">
                <For each={culprits(report())}>
                  {(plugin) => (
                    <li>
                      {plugin.name}: {plugin.state} {plugin.required ? '(required)' : '(optional)'}
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </>
        )}
      </Show>
      <p class="system-links">
        Public endpoints, no sign-in needed (for probes and Prometheus):{' '}
        <a href="/health" target="_blank" rel="noopener noreferrer">
          /health
        </a>{' '}
        ·{' '}
        <a href="/metrics" target="_blank" rel="noopener noreferrer">
          /metrics
        </a>
      </p>
    </section>
  );
}
