// Validation in the browser. ajv compiles schemas with `new Function`, which the studio's CSP
// (no 'unsafe-eval') forbids, so the browser uses @cfworker/json-schema, which interprets the
// schema instead. The kernel validates again with ajv; both report per-field issues here.
import { Validator, type OutputUnit, type SchemaDraft } from '@cfworker/json-schema';
import type { JsonSchema, SchemaIssue } from '../../capability-types.ts';
import { schemaObject } from './schema-kind.ts';

/** One problem with one field, named by its JSON Pointer ('' for the whole config). */
export interface FieldIssue {
  pointer: string;
  message: string;
}

// Keywords that only say "something below failed"; the failure below is reported on its own.
const WRAPPERS = new Set(['properties', 'items', 'prefixItems', 'allOf', '$ref', 'false', 'dependentSchemas', 'contains', 'unevaluatedProperties', 'unevaluatedItems']);

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

/** The draft cfworker reads `schema` with: its `$schema` if it names one, else draft 7 like the kernel's ajv. */
function draftOf(schema: JsonSchema): SchemaDraft {
  const declared = String(schemaObject(schema).$schema ?? '');
  if (declared.includes('2020-12')) return '2020-12';
  if (declared.includes('2019-09')) return '2019-09';
  if (declared.includes('draft-04')) return '4';
  return '7';
}

/** The schema the keyword at `location` (`#/properties/level/minimum`) belongs to. */
function keywordParent(schema: JsonSchema, location: string): Record<string, unknown> {
  let current: unknown = schema;
  const steps = location.replace(/^#\/?/, '').split('/').filter(Boolean).slice(0, -1);
  for (const step of steps) current = schemaObject(current)[decodeURIComponent(step).replaceAll('~1', '/').replaceAll('~0', '~')];
  return schemaObject(current);
}

/** A plain sentence for one cfworker error, from the keyword and the schema's own limits. */
function describe(unit: OutputUnit, schema: JsonSchema): string {
  const owner = keywordParent(schema, unit.keywordLocation);
  const limit = owner[unit.keyword];
  switch (unit.keyword) {
    case 'minimum': return `Must be ${String(limit)} or more.`;
    case 'maximum': return `Must be ${String(limit)} or less.`;
    case 'exclusiveMinimum': return `Must be more than ${String(limit)}.`;
    case 'exclusiveMaximum': return `Must be less than ${String(limit)}.`;
    case 'minLength': return `Must be at least ${String(limit)} characters.`;
    case 'maxLength': return `Must be at most ${String(limit)} characters.`;
    case 'pattern': return `Must match the pattern ${String(limit)}.`;
    case 'enum': return `Must be one of ${(Array.isArray(limit) ? limit : []).map((value) => JSON.stringify(value)).join(', ')}.`;
    case 'type': return `Must be ${[limit].flat().map((type) => TYPE_WORDS[String(type)] ?? String(type)).join(' or ')}.`;
    case 'format': return `Must be a valid ${String(limit)}.`;
    case 'minItems': return `Needs at least ${String(limit)} entries.`;
    case 'maxItems': return `Takes at most ${String(limit)} entries.`;
    default: return unit.error;
  }
}

/** Every problem of `value` against `schema`, one per field (empty when it is valid). */
export function validateAgainst(schema: JsonSchema, value: unknown): FieldIssue[] {
  if (value === undefined) return [{ pointer: '', message: 'Empty: the config must be a JSON object.' }];
  // What is checked is what will be sent: JSON drops undefined properties and makes undefined entries null.
  const sent = JSON.parse(JSON.stringify(value)) as unknown;
  const result = new Validator(schema as Record<string, unknown>, draftOf(schema), false).validate(sent);
  if (result.valid) return [];
  const issues: FieldIssue[] = [];
  for (const unit of result.errors) {
    if (WRAPPERS.has(unit.keyword)) continue;
    const at = unit.instanceLocation.replace(/^#/, '');
    const named = /"([^"]+)"/.exec(unit.error)?.[1];
    if (unit.keyword === 'required' && named !== undefined) issues.push({ pointer: `${at}/${named}`, message: 'Required.' });
    else if (unit.keyword === 'additionalProperties' && named !== undefined) issues.push({ pointer: `${at}/${named}`, message: `"${named}" is not a setting this plugin knows.` });
    else issues.push({ pointer: at, message: describe(unit, schema) });
  }
  return issues;
}

/** The kernel's ajv issues (CapabilityInvalidParams `data.errors`) as field issues. */
export function issuesFromKernel(errors: readonly SchemaIssue[]): FieldIssue[] {
  return errors.map((error) => {
    const missing = error.params?.missingProperty ?? error.params?.additionalProperty;
    const pointer = typeof missing === 'string' ? `${error.instancePath}/${missing}` : error.instancePath;
    return { pointer, message: `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)} (refused by the kernel).` };
  });
}
