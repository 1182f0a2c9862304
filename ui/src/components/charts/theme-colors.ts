/** The value of a theme's custom property (`--accent`) on the document, for drawing on a canvas. */
export function themeColor(property: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(property).trim() || '#888';
}

/** `color` (any CSS colour) with `alpha` applied, for fills under a line; falls back to the colour itself. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color)?.[1];
  if (!hex) return color;
  const [r, g, b] = [0, 2, 4].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
