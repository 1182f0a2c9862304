/** `3 d 4 h`, `5 h 12 min`, `7 min 3 s`, `12 s`: a duration for people. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min ${seconds % 60} s`;
  return `${seconds} s`;
}

/** A date and time in the browser's locale, or `never` for null. */
export function formatTime(epochMs: number | null): string {
  return epochMs === null ? 'never' : new Date(epochMs).toLocaleString();
}

/** `412 MB`: bytes in binary megabytes. */
export function formatMegabytes(bytes: number): string {
  return `${Math.round(bytes / 1_048_576)} MB`;
}

/** A number of tokens with thousands separators. */
export function formatCount(value: number): string {
  return value.toLocaleString();
}
