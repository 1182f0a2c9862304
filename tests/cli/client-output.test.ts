// In-process tests of the client's formatting rules; the commands themselves are tested through the real CLI.
import { describe, expect, it } from 'vitest';
import { formatTable, textOfChunk } from '../../kernel/src/cli/client/client-output.ts';
import { parseSince } from '../../kernel/src/cli/client/parse-since.ts';

describe('textOfChunk', () => {
  it('prints strings and { text } chunks raw, and nothing else', () => {
    expect(textOfChunk('tok')).toBe('tok');
    expect(textOfChunk({ text: 'tok' })).toBe('tok');
    expect(textOfChunk({ text: 'tok', index: 1 })).toBeUndefined();
    expect(textOfChunk({ text: 3 })).toBeUndefined();
    expect(textOfChunk(['tok'])).toBeUndefined();
    expect(textOfChunk(null)).toBeUndefined();
  });
});

describe('formatTable', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(formatTable(['NAME', 'STATE'], [['echo', 'running'], ['a-long-name', 'stopped']])).toBe(
      ['NAME         STATE', 'echo         running', 'a-long-name  stopped'].join('\n'),
    );
  });
});

describe('parseSince', () => {
  const now = Date.UTC(2030, 0, 2, 12, 0, 0);

  it('reads durations back from now, alone or combined', () => {
    expect(parseSince('10m', now)).toBe(now - 600_000);
    expect(parseSince('1h30m', now)).toBe(now - 5_400_000);
    expect(parseSince('1d', now)).toBe(now - 86_400_000);
    expect(parseSince('500ms', now)).toBe(now - 500);
  });

  it('reads epoch milliseconds and ISO dates', () => {
    expect(parseSince('1700000000000', now)).toBe(1_700_000_000_000);
    expect(parseSince('2030-01-02T11:00:00Z', now)).toBe(now - 3_600_000);
  });

  it('refuses anything else with a usage error', () => {
    expect(() => parseSince('yesterday', now)).toThrow(/--since must be a duration/);
    expect(() => parseSince('10 minutes', now)).toThrow(/--since must be a duration/);
  });
});
