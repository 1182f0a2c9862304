import { createSignal } from 'solid-js';

/** A studio theme: `id` is its file name in themes/ and the `data-theme` value it styles. */
export interface Theme {
  id: string;
  label: string;
}

/** Every theme, the default first. */
export const THEMES: readonly Theme[] = [
  { id: 'NeonCyberNight', label: 'Neon Cyber Night' },
  { id: 'SerialSteel', label: 'Serial Steel' },
];

const STORAGE_KEY = 'cyberstudio.theme';

function storedTheme(): string {
  try {
    const id = localStorage.getItem(STORAGE_KEY);
    if (THEMES.some((theme) => theme.id === id)) return id!;
  } catch {
    // Storage can be blocked (private modes, policies); the default theme still works.
  }
  return THEMES[0].id;
}

const [theme, setThemeSignal] = createSignal(storedTheme());

/** The id of the theme in use. */
export { theme };

/** Applies the theme in use to the document; call once before the first render. */
export function applyTheme(): void {
  document.documentElement.dataset.theme = theme();
}

/** Switches to `id` and remembers it in localStorage for the next visit. */
export function setTheme(id: string): void {
  // The document first: charts redraw when the signal changes and read the new theme's colours.
  document.documentElement.dataset.theme = id;
  setThemeSignal(id);
  try {
    localStorage.setItem(STORAGE_KEY, id);
  } catch {
    // Not remembered, but switched: nothing else to do.
  }
}
