import { createEffect, createSignal, getOwner, on, onCleanup, onMount, runWithOwner, Show } from 'solid-js';
import type { JsonSchema } from '../../capability-types.ts';
import { theme } from '../../theme.ts';
import '../../styles/capabilities.css';
import { loadMonaco } from './monaco-loader.ts';
import { MONACO_THEME, studioMonoFont, studioThemeData } from './monaco-theme.ts';

/** What a JsonEditor edits: controlled text, a name for assistive tech, and an optional schema for diagnostics. */
export interface JsonEditorProps {
  value: string;
  onChange: (text: string) => void;
  /** The accessible name of the editing area (e.g. "Params for echo.echo"). */
  label: string;
  /** Marks (as warnings) what does not match this schema; the kernel still has the last word. */
  schema?: JsonSchema | null;
  /** Tallest the editor grows to with its content, in pixels. */
  maxHeight?: number;
}

const MIN_HEIGHT = 96;
let nextModel = 1;

/**
 * A JSON editor: Monaco, loaded on first use, themed from the studio's CSS variables. Shows a
 * plain loading line meanwhile, and falls back to a textarea if the editor cannot load.
 */
export function JsonEditor(props: JsonEditorProps) {
  let host!: HTMLDivElement;
  const [ready, setReady] = createSignal(false);
  const [failed, setFailed] = createSignal(false);
  const modelUri = `inmemory://cyberstudio/editor-${nextModel++}.json`;
  // Effects made once the editor has loaded belong to this component, so they end with it.
  const owner = getOwner();
  let disposed = false;
  let cleanup: (() => void) | undefined;
  onCleanup(() => {
    disposed = true;
    cleanup?.();
  });

  onMount(() => {
    loadMonaco().then(
      ({ monaco, setModelSchema }) => {
        if (disposed) return;
        monaco.editor.defineTheme(MONACO_THEME, studioThemeData());
        const model = monaco.editor.createModel(props.value, 'json', monaco.Uri.parse(modelUri));
        const editor = monaco.editor.create(host, {
          model,
          theme: MONACO_THEME,
          ariaLabel: props.label,
          fontFamily: studioMonoFont(),
          fontSize: 13,
          tabSize: 2,
          minimap: { enabled: false },
          scrollBeyondLastLine: false,
          wordWrap: 'on',
          automaticLayout: true,
          // Hovers and suggestions would be clipped by the card otherwise.
          fixedOverflowWidgets: true,
          renderLineHighlight: 'line',
          // The overview ruler keeps the problem marks; the cursor's mark there is noise in a small editor.
          hideCursorInOverviewRuler: true,
          overviewRulerBorder: false,
          lineNumbersMinChars: 3,
          padding: { top: 8, bottom: 8 },
        });
        const fit = () => {
          host.style.height = `${Math.min(props.maxHeight ?? 360, Math.max(MIN_HEIGHT, editor.getContentHeight()))}px`;
        };
        const subscriptions = [
          model.onDidChangeContent(() => {
            const text = model.getValue();
            if (text !== props.value) props.onChange(text);
          }),
          editor.onDidContentSizeChange(fit),
        ];
        fit();
        runWithOwner(owner, () => {
          // Outside changes (a reset, a form edit) replace the text; echoes of our own edits are skipped.
          createEffect(on(() => props.value, (value) => {
            if (model.getValue() !== value) model.setValue(value);
          }, { defer: true }));
          createEffect(() => setModelSchema(modelUri, props.schema ?? undefined));
          // The theme signal changes after the document's data-theme, so the variables read here are the new ones.
          createEffect(on(theme, () => monaco.editor.defineTheme(MONACO_THEME, studioThemeData()), { defer: true }));
        });
        cleanup = () => {
          for (const subscription of subscriptions) subscription.dispose();
          setModelSchema(modelUri, undefined);
          editor.dispose();
          model.dispose();
        };
        setReady(true);
      },
      () => {
        if (!disposed) setFailed(true);
      },
    );
  });

  return (
    <div class="json-editor" data-ready={ready() ? 'true' : 'false'}>
      <Show when={!ready() && !failed()}>
        <p class="muted json-editor-loading" role="status">
          Loading the editor…
        </p>
      </Show>
      <Show when={failed()}>
        <p class="muted">The code editor could not load; a plain text box stands in.</p>
        <textarea class="json-editor-fallback" aria-label={props.label} spellcheck={false} value={props.value} onInput={(event) => props.onChange(event.currentTarget.value)} />
      </Show>
      <div ref={host} class="json-editor-host" />
    </div>
  );
}
