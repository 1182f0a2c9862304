import { For } from 'solid-js';
import { setTheme, theme, THEMES } from '../theme.ts';

/** Picks the studio theme; the choice is remembered in this browser. */
export function ThemeSwitcher() {
  return (
    <label class="theme-switcher">
      <span class="visually-hidden">Theme</span>
      <select value={theme()} onChange={(event) => setTheme(event.currentTarget.value)}>
        <For each={THEMES}>{(option) => <option value={option.id}>{option.label}</option>}</For>
      </select>
    </label>
  );
}
