import { createSignal } from 'solid-js';

/** Copies `text` to the clipboard and says whether it worked. */
export function CopyButton(props: { text: string; label?: string }) {
  const [outcome, setOutcome] = createSignal<'copied' | 'failed'>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setOutcome('copied');
    } catch {
      // Clipboard access needs a secure context and permission; the text stays selectable.
      setOutcome('failed');
    }
  };
  return (
    <button type="button" class="button" onClick={copy}>
      {outcome() === 'copied' ? 'Copied' : outcome() === 'failed' ? 'Copy failed: select and copy by hand' : (props.label ?? 'Copy')}
    </button>
  );
}
