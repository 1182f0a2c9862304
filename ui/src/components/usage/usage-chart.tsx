import { For, Show } from 'solid-js';
import uPlot from 'uplot';
import { formatCount } from '../../format.ts';
import { Chart, type ChartOptions } from '../charts/chart.tsx';
import { themeColor } from '../charts/theme-colors.ts';
import type { UsageSeries } from './usage-series.ts';

/** The theme colours of the segments, in group order; MAX_GROUPS of them. */
// Ordered so neighbours differ in hue in both themes (SerialSteel's secondary is close to its accent).
export const SEGMENT_COLORS = ['--accent', '--busy', '--good', '--secondary', '--bad', '--idle'] as const;

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** `Mar 10` for a UTC day `2025-03-10`. */
export function dayLabel(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** The colour variable of group `index`. */
export function segmentColor(index: number): string {
  return SEGMENT_COLORS[index % SEGMENT_COLORS.length]!;
}

/**
 * Tokens per day as stacked bars, one segment per group, with a legend of the groups and their
 * totals. uPlot has no stacking of its own: each bar is drawn from zero to its running sum, the
 * tallest first, so every segment shows above the ones below it.
 */
export function UsageChart(props: { series: UsageSeries }) {
  // The chart is rebuilt when the days or the groups change (keyed below); other changes redraw in place.
  const shape = () => `${props.series.days.join()}|${props.series.groups.join('\n')}`;

  const data = (): uPlot.AlignedData => {
    const { days, tokens } = props.series;
    const running = days.map(() => 0);
    const stacked = tokens.map((values) => values.map((value, index) => (running[index]! += value)));
    return [days.map((_, index) => index), ...stacked.reverse()];
  };

  const options = (): ChartOptions => {
    const { days, groups } = props.series;
    const muted = themeColor('--text-muted');
    const grid = themeColor('--border');
    const bars = uPlot.paths.bars!({ size: [0.7, 48], align: 0 });
    return {
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: () => [-0.5, days.length - 0.5] }, y: { range: (_plot, _min, max) => [0, Math.max(max, 1) * 1.08] } },
      axes: [
        {
          stroke: muted,
          grid: { show: false },
          ticks: { stroke: grid },
          incrs: [1, 2, 3, 7, 14, 30],
          space: 48,
          values: (_plot, splits) => splits.map((split) => (Number.isInteger(split) && days[split] !== undefined ? dayLabel(days[split]!) : '')),
        },
        { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 56, values: (_plot, splits) => splits.map((split) => compact.format(split)) },
      ],
      series: [
        {},
        ...groups
          .map((group, index) => ({ label: group, fill: themeColor(segmentColor(index)), stroke: themeColor(segmentColor(index)), width: 0, paths: bars, points: { show: false } }))
          .reverse(),
      ],
    };
  };

  return (
    <div class="usage-chart">
      <Show when={shape()} keyed>
        {(_shape) => <Chart label={`Tokens per day, stacked by ${props.series.groups.join(', ')}; the table below has the numbers`} options={options} data={data} height={240} />}
      </Show>
      <ul class="usage-legend" aria-label="Legend">
        <For each={props.series.groups}>
          {(group, index) => (
            <li>
              <span class="usage-swatch" style={{ background: `var(${segmentColor(index())})` }} aria-hidden="true" />
              {group} <span class="muted">{formatCount(props.series.groupTotals[index()] ?? 0)}</span>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}
