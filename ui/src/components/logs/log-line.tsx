import { createSignal, Match, Show, Switch } from 'solid-js';
import type { LogRecord } from '../../kernel-types.ts';
import type { LogEntry } from '../../stores/log-tail.ts';

const SOURCE_LABEL: Record<string, string> = { stderr: 'stderr', rpc: 'plugin', kernel: 'kernel' };

/** `14:03:07.215`: a log time to the millisecond, in the browser's time zone. */
export function formatLogTime(epochMs: number): string {
  const time = new Date(epochMs);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`;
}

/** How many field names the toggle of a line names before it says "+N". */
const NAMED_FIELDS = 3;

function LogRecordLine(props: { record: LogRecord }) {
  const [open, setOpen] = createSignal(false);
  const names = () => Object.keys(props.record.fields ?? {});
  const toggleText = () => {
    const shown = names().slice(0, NAMED_FIELDS).join(', ');
    return names().length > NAMED_FIELDS ? `{${shown}, +${names().length - NAMED_FIELDS}}` : `{${shown}}`;
  };
  return (
    <li class="log-entry" data-level={props.record.level} data-seq={props.record.seq}>
      <time class="log-time" dateTime={new Date(props.record.time).toISOString()} title={new Date(props.record.time).toLocaleString()}>
        {formatLogTime(props.record.time)}
      </time>
      <span class="log-level">{props.record.level}</span>
      <span class="log-source" title={`source: ${props.record.source}`}>
        {SOURCE_LABEL[props.record.source] ?? props.record.source}
      </span>
      <span class="log-message">
        {props.record.msg}
        <Show when={names().length > 0}>
          <button
            type="button"
            class="log-fields-toggle"
            aria-expanded={open()}
            title={open() ? 'Hide the fields' : 'Show the fields'}
            onClick={() => setOpen(!open())}
          >
            <span class="visually-hidden">Fields </span>
            {toggleText()}
          </button>
        </Show>
      </span>
      <Show when={open()}>
        {/* The ref runs before the element is in the document: scroll once it is, so opening the last line shows its fields. */}
        <pre ref={(pre) => queueMicrotask(() => pre.scrollIntoView({ block: 'nearest' }))} class="log-fields">
          {JSON.stringify(props.record.fields, null, 2)}
        </pre>
      </Show>
    </li>
  );
}

/** One entry of the log view: a record (time, level, source, message, fields on demand) or a plain note of skipped lines. */
export function LogLine(props: { entry: LogEntry }) {
  return (
    <Switch>
      <Match when={props.entry.kind === 'record' && props.entry.record}>{(record) => <LogRecordLine record={record()} />}</Match>
      <Match when={props.entry.kind === 'gap' && props.entry.skipped}>
        {(skipped) => (
          <li class="log-gap" role="note">
            {skipped()} {skipped() === 1 ? 'line was' : 'lines were'} skipped here: the connection could not keep up with the log.
          </li>
        )}
      </Match>
    </Switch>
  );
}
