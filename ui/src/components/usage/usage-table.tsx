import { For, Index } from 'solid-js';
import { formatCount } from '../../format.ts';
import type { UsageGrouping } from '../../usage-types.ts';
import { dayLabel } from './usage-chart.tsx';
import type { UsageSeries } from './usage-series.ts';

/**
 * The chart's numbers as a table: one row per day that used tokens (newest first), one column
 * per group, and the totals. Cells carry `data-day` and `data-group` so the numbers can be found.
 */
export function UsageTable(props: { series: UsageSeries; grouping: UsageGrouping }) {
  const usedDays = () =>
    props.series.days
      .map((day, index) => ({ day, index }))
      .filter(({ index }) => props.series.dayTotals[index]! > 0)
      .reverse();

  return (
    <div class="usage-table-scroll">
      <table class="table usage-table" aria-label="Tokens per day">
        <caption class="muted">
          Tokens (prompt + completion) per UTC day and {props.grouping === 'user' ? 'user' : 'model'}; days without use are left out.
        </caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <For each={props.series.groups}>{(group) => <th scope="col" class="numeric">{group}</th>}</For>
            <th scope="col" class="numeric">Total</th>
          </tr>
        </thead>
        <tbody>
          <For each={usedDays()}>
            {({ day, index }) => (
              <tr data-day={day}>
                <th scope="row">
                  <time datetime={day}>{dayLabel(day)}</time>
                </th>
                <Index each={props.series.groups}>
                  {(group, groupIndex) => (
                    <td class="numeric" data-group={group()}>
                      {formatCount(props.series.tokens[groupIndex]![index]!)}
                    </td>
                  )}
                </Index>
                <td class="numeric" data-group="total">
                  {formatCount(props.series.dayTotals[index]!)}
                </td>
              </tr>
            )}
          </For>
        </tbody>
        <tfoot>
          <tr data-day="total">
            <th scope="row">Total</th>
            <Index each={props.series.groups}>
              {(group, groupIndex) => (
                <td class="numeric" data-group={group()}>
                  {formatCount(props.series.groupTotals[groupIndex]!)}
                </td>
              )}
            </Index>
            <td class="numeric" data-group="total">
              {formatCount(props.series.total)}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
