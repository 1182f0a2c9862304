import type { editor } from 'monaco-editor/editor';

/** The one Monaco theme name; it is defined again from the studio's variables at each theme switch. */
export const MONACO_THEME = 'cyberstudio';

/** `#rrggbb` or `#rrggbbaa` from a computed `rgb()`/`rgba()` colour; Monaco takes only hex. */
function toHex(rgb: string): string {
  const parts = /rgba?\(([^)]+)\)/.exec(rgb)?.[1]?.split(/[\s,/]+/).filter(Boolean).map(Number) ?? [0, 0, 0];
  const [red = 0, green = 0, blue = 0, alpha = 1] = parts;
  const byte = (value: number) => Math.round(Math.min(255, Math.max(0, value))).toString(16).padStart(2, '0');
  return `#${byte(red)}${byte(green)}${byte(blue)}${alpha < 1 ? byte(alpha * 255) : ''}`;
}

/** Reads the studio theme's colour variables as hex, resolved by the browser (so any CSS colour syntax works). */
function themeColours(names: readonly string[]): Record<string, string> {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  document.body.append(probe);
  try {
    return Object.fromEntries(
      names.map((name) => {
        probe.style.color = '';
        probe.style.color = `var(--${name})`;
        return [name, toHex(getComputedStyle(probe).color)];
      }),
    );
  } finally {
    probe.remove();
  }
}

const VARIABLES = ['input-bg', 'text', 'text-muted', 'accent', 'accent-strong', 'secondary', 'good', 'busy', 'bad', 'border', 'border-strong', 'surface-raised', 'focus'] as const;

/** Monaco's theme data built from the studio theme now in force (themes/*.css). */
export function studioThemeData(): editor.IStandaloneThemeData {
  const c = themeColours(VARIABLES);
  const dark = getComputedStyle(document.documentElement).colorScheme.includes('dark');
  const bare = (hex: string) => hex.slice(1, 7);
  const solid = (hex: string) => hex.slice(0, 7);
  return {
    base: dark ? 'vs-dark' : 'vs',
    inherit: true,
    rules: [
      { token: '', foreground: bare(c.text!) },
      { token: 'string.key.json', foreground: bare(c['accent-strong']!) },
      { token: 'string.value.json', foreground: bare(c.good!) },
      { token: 'number.json', foreground: bare(c.secondary!) },
      { token: 'keyword.json', foreground: bare(c.busy!) },
      { token: 'delimiter', foreground: bare(c['text-muted']!) },
    ],
    colors: {
      'editor.background': solid(c['input-bg']!),
      'editor.foreground': solid(c.text!),
      'editorLineNumber.foreground': solid(c['text-muted']!),
      'editorLineNumber.activeForeground': solid(c.text!),
      'editorCursor.foreground': solid(c.accent!),
      'editor.selectionBackground': `${solid(c.accent!)}40`,
      'editor.lineHighlightBackground': `${solid(c.accent!)}12`,
      'editor.lineHighlightBorder': `${solid(c.accent!)}00`,
      'editorIndentGuide.background1': solid(c.border!),
      'editorBracketMatch.border': solid(c.accent!),
      'editorWidget.background': solid(c['surface-raised']!),
      'editorWidget.border': solid(c['border-strong']!),
      'editorHoverWidget.background': solid(c['surface-raised']!),
      'editorHoverWidget.border': solid(c['border-strong']!),
      'editorSuggestWidget.background': solid(c['surface-raised']!),
      'editorSuggestWidget.border': solid(c['border-strong']!),
      'editorSuggestWidget.selectedBackground': `${solid(c.accent!)}30`,
      'editorError.foreground': solid(c.bad!),
      'editorWarning.foreground': solid(c.busy!),
      'input.background': solid(c['input-bg']!),
      'input.border': solid(c['border-strong']!),
      focusBorder: solid(c.focus!),
      'scrollbarSlider.background': `${solid(c['border-strong']!)}80`,
      'scrollbarSlider.hoverBackground': solid(c['border-strong']!),
    },
  };
}

/** The studio's monospace font stack, for the editor's `fontFamily`. */
export function studioMonoFont(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--font-mono').trim() || 'monospace';
}
