import { createContext, useContext } from 'solid-js';
import { pointerOf, type ValuePath } from './value-path.ts';

/** What every field of a SchemaForm shares: the value being edited, its issues, and DOM ids. */
export interface SchemaFormState {
  /** The whole value being edited. */
  value(): unknown;
  /** Replaces the value at `path` (`undefined` removes an object property). */
  set(path: ValuePath, value: unknown): void;
  /** The messages of the issues at exactly this pointer. */
  issuesAt(pointer: string): string[];
  /** The messages of the issues at this pointer or inside it, with their place (for fields shown as JSON). */
  issuesWithin(pointer: string): string[];
  /** Tells the form a field's text cannot become a value (invalid JSON), or no longer (`undefined`). */
  reportUnparsable(pointer: string, message: string | undefined): void;
  /** A DOM id for the field at `path`, unique on the page. */
  idOf(path: ValuePath): string;
}

/** The state of the SchemaForm the field belongs to. */
export const SchemaFormContext = createContext<SchemaFormState>();

/** The enclosing SchemaForm's state; fields are only rendered inside one. */
export function useSchemaForm(): SchemaFormState {
  const state = useContext(SchemaFormContext);
  if (!state) throw new Error('a schema field was rendered outside a SchemaForm');
  return state;
}

/** The id of a field's element for `path` under `prefix` (pointer characters made id-safe). */
export function fieldId(prefix: string, path: ValuePath): string {
  return `${prefix}${pointerOf(path).replace(/[^A-Za-z0-9_-]/g, (char) => (char === '/' ? '-' : `_${char.charCodeAt(0).toString(16)}`))}`;
}
