// Reading JSON Schemas for people: which form control fits a schema, and a one-line type label.
import type { JsonSchema } from '../../capability-types.ts';

/** A schema in object form (`true` and `false` have no keywords to read). */
export type SchemaObject = Record<string, unknown>;

/** The form control a schema gets; `json` is the editor that stands in for anything the form cannot show. */
export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'object' | 'array' | 'json';

/** The keywords of `schema`, or an empty object for `true`, `false` and non-schemas. */
export function schemaObject(schema: JsonSchema | unknown): SchemaObject {
  return typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? (schema as SchemaObject) : {};
}

/** The one type `schema` declares, or undefined when it declares none or several. */
export function singleType(schema: SchemaObject): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type) && type.length === 1 && typeof type[0] === 'string') return type[0];
  return undefined;
}

const isPrimitive = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** The properties `schema` declares, in declaration order. */
export function propertiesOf(schema: SchemaObject): [string, SchemaObject][] {
  return Object.entries(schemaObject(schema.properties)).map(([name, property]) => [name, schemaObject(property)]);
}

/** The names `schema` lists as required. */
export function requiredOf(schema: SchemaObject): Set<string> {
  return new Set(Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === 'string') : []);
}

/** The control for `schema`: primitives, enums, objects with known properties and arrays of primitives get form controls. */
export function fieldKind(schema: SchemaObject): FieldKind {
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every((value) => typeof value === 'string' || typeof value === 'number')) return 'enum';
  const type = singleType(schema);
  if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean') return type;
  // A config schema often leaves out `type: object` at the top; its properties still make it one.
  if ((type === 'object' || type === undefined) && schema.properties !== undefined) return 'object';
  if (type === 'array' && !Array.isArray(schema.items)) {
    const item = fieldKind(schemaObject(schema.items));
    if (item !== 'object' && item !== 'array' && item !== 'json') return 'array';
  }
  return 'json';
}

/** A one-line description of what `schema` accepts: `integer ≥ 0`, `one of "a", "b"`, `array of string`. */
export function typeLabel(schema: JsonSchema | unknown): string {
  if (schema === true || (typeof schema === 'object' && schema !== null && Object.keys(schema).length === 0)) return 'any value';
  if (schema === false) return 'nothing (always refused)';
  const s = schemaObject(schema);
  if ('const' in s) return `exactly ${JSON.stringify(s.const)}`;
  if (Array.isArray(s.enum)) return `one of ${s.enum.filter(isPrimitive).map((value) => JSON.stringify(value)).join(', ')}`;
  const types = Array.isArray(s.type) ? s.type.join(' or ') : typeof s.type === 'string' ? s.type : s.properties ? 'object' : 'any value';
  const limits = [
    typeof s.minimum === 'number' ? `≥ ${s.minimum}` : undefined,
    typeof s.exclusiveMinimum === 'number' ? `> ${s.exclusiveMinimum}` : undefined,
    typeof s.maximum === 'number' ? `≤ ${s.maximum}` : undefined,
    typeof s.exclusiveMaximum === 'number' ? `< ${s.exclusiveMaximum}` : undefined,
    typeof s.minLength === 'number' ? `at least ${s.minLength} characters` : undefined,
    typeof s.maxLength === 'number' ? `at most ${s.maxLength} characters` : undefined,
    typeof s.format === 'string' ? `format ${s.format}` : undefined,
    typeof s.pattern === 'string' ? `matching /${s.pattern}/` : undefined,
  ].filter(Boolean);
  const base = types === 'array' && s.items !== undefined && !Array.isArray(s.items) ? `array of ${typeLabel(s.items)}` : types;
  return limits.length > 0 ? `${base}, ${limits.join(', ')}` : base;
}

/** The label of a field: the schema's title, else the property name. */
export function fieldTitle(schema: SchemaObject, name: string): string {
  return typeof schema.title === 'string' && schema.title !== '' ? schema.title : name;
}
