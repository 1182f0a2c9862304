import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ErrorCodeRange, LocalErrorCode, localErrorCatalog, wireErrorCatalog } from '../src/protocol/error-codes.ts';

/** One documented catalog row: the code and the cells after it. */
interface DocumentedCode {
  code: string;
  cells: string[];
}

/** The standard JSON-RPC 2.0 codes, which keep their spec values outside our bus range. */
const standardJsonRpcCodes = new Set([-32700, -32600, -32601, -32602, -32603]);

/** Rows of docs/errors.md whose first cell is a backticked code, in document order. */
function documentedCodes(): DocumentedCode[] {
  const markdown = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows: DocumentedCode[] = [];
  for (const line of markdown.split('\n')) {
    const match = /^\|\s*`([^`]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (match) rows.push({ code: match[1]!, cells: match[2]!.split(/(?<!\\)\|/).map((cell) => cell.trim()) });
  }
  return rows;
}

const documented = documentedCodes();
const documentedWire = documented.filter((row) => /^-?\d+$/.test(row.code));
const documentedLocal = documented.filter((row) => !/^-?\d+$/.test(row.code));
const catalogWire = Object.values(ErrorCode).map(String);
const catalogLocal: string[] = Object.values(LocalErrorCode);

describe('docs/errors.md', () => {
  it('lists exactly the wire codes of the catalog', () => {
    expect(new Set(documentedWire.map((row) => row.code))).toEqual(new Set(catalogWire));
  });

  it('lists exactly the local codes of the catalog', () => {
    expect(new Set(documentedLocal.map((row) => row.code))).toEqual(new Set(catalogLocal));
  });

  it('lists each code once, in the order of error-codes.ts', () => {
    expect(documented.map((row) => row.code)).toEqual([...catalogWire, ...catalogLocal]);
  });

  it('names each code as the catalog names it', () => {
    const catalogNames = new Map<string, string>([
      ...Object.entries(wireErrorCatalog).map(([code, entry]) => [code, entry.name] as const),
      ...Object.entries(localErrorCatalog).map(([code, entry]) => [code, entry.name] as const),
    ]);
    for (const row of documented) expect(row.cells[0], row.code).toBe(catalogNames.get(row.code));
  });

  it('gives each wire code the HTTP status of the catalog', () => {
    for (const row of documentedWire) {
      const entry = wireErrorCatalog[Number(row.code) as ErrorCode];
      expect(Number(row.cells.at(-1)), row.code).toBe(entry.httpStatus);
    }
  });

  it('keeps every non-standard wire code in the bus range -32099..-32000 or the shared capability range 1000..1999', () => {
    const { bus, sharedCapability } = ErrorCodeRange;
    const within = (code: number, range: { min: number; max: number }) => code >= range.min && code <= range.max;
    const outOfRange = documentedWire
      .map((row) => Number(row.code))
      .filter((code) => !standardJsonRpcCodes.has(code) && !within(code, bus) && !within(code, sharedCapability));
    expect(outOfRange).toEqual([]);
  });

  it('keeps the capability-level errors a provider raises out of the bus range', () => {
    const capabilityErrors = [ErrorCode.InsufficientBalance, ErrorCode.RateLimited, ErrorCode.UpstreamFailed];
    expect(capabilityErrors).toEqual([1001, 1002, 1003]);
  });
});
