import { createMemo } from 'solid-js';
import type { TelemetrySample } from '../../telemetry-types.ts';
import { Chart } from '../charts/chart.tsx';
import { sparklineOptions } from './telemetry-chart-options.ts';
import { cpuSeries, formatMemory, formatPercent, hasProcess, memorySeries, recent } from './telemetry-series.ts';
import '../../styles/telemetry.css';

/** The span of the dashboard's sparklines. */
export const SPARKLINE_SECONDS = 60;

/** A plugin's CPU and memory over the last minute as two small lines, each with its current value as text. */
export function PluginSparklines(props: { plugin: string; samples: readonly TelemetrySample[] }) {
  const shown = createMemo(() => recent(props.samples, SPARKLINE_SECONDS));
  const latest = () => {
    const sample = shown().at(-1);
    return sample !== undefined && hasProcess(sample) ? sample : undefined;
  };
  return (
    <dl class="sparklines">
      <div class="sparkline-item" data-usage="cpu">
        <dt>CPU</dt>
        <dd class="sparkline-value">{latest() ? formatPercent(latest()!.cpuPercent) : '—'}</dd>
        <dd class="sparkline-chart">
          <Chart class="sparkline" height={22} label={`CPU of ${props.plugin} over the last minute`} options={() => sparklineOptions('--accent', SPARKLINE_SECONDS)} data={() => cpuSeries(shown())} />
        </dd>
      </div>
      <div class="sparkline-item" data-usage="memory">
        <dt>RAM</dt>
        <dd class="sparkline-value">{latest() ? formatMemory(latest()!.rssBytes) : '—'}</dd>
        <dd class="sparkline-chart">
          <Chart class="sparkline" height={22} label={`Memory of ${props.plugin} over the last minute`} options={() => sparklineOptions('--secondary', SPARKLINE_SECONDS)} data={() => memorySeries(shown())} />
        </dd>
      </div>
    </dl>
  );
}
