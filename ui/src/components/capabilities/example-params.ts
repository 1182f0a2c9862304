// Example params built from a capability's params schema, to start the try-it editor from and
// to copy: the required properties, each with its default, first example, or a placeholder of its
// type. Examples are meant to be run as they are, so a chat message is a user's message saying hello.
import type { JsonSchema } from '../../capability-types.ts';
import { propertiesOf, requiredOf, schemaObject, singleType } from '../schema-form/schema-kind.ts';

/** Deeper than this, objects are left empty: schemas can be recursive. */
const MAX_DEPTH = 4;

/** What a chat message example says. */
const CHAT_EXAMPLE_TEXT = 'Hello!';

/**
 * A user's message when `s` is a chat message (a `role` that may be `user` and a string
 * `content`): the first role of the enum (often `system`) with empty content makes a call a
 * model cannot answer.
 */
function chatMessageExample(s: Record<string, unknown>, depth: number): Record<string, unknown> | undefined {
  const properties = new Map(propertiesOf(s));
  const role = schemaObject(properties.get('role'));
  const content = schemaObject(properties.get('content'));
  if (!Array.isArray(role.enum) || !role.enum.includes('user') || singleType(content) !== 'string') return undefined;
  const required = requiredOf(s);
  const others = [...properties].filter(([name]) => required.has(name) && name !== 'role' && name !== 'content');
  return { role: 'user', content: CHAT_EXAMPLE_TEXT, ...Object.fromEntries(others.map(([name, property]) => [name, exampleValue(property, depth + 1)])) };
}

/** A value that satisfies `schema` where that is easy to see, else a placeholder of its type. */
export function exampleValue(schema: JsonSchema | unknown, depth = 0): unknown {
  const s = schemaObject(schema);
  if ('default' in s) return s.default;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  const chatMessage = chatMessageExample(s, depth);
  if (chatMessage !== undefined) return chatMessage;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  const type = singleType(s) ?? (Array.isArray(s.type) ? s.type.find((candidate) => candidate !== 'null') : undefined) ?? (s.properties ? 'object' : undefined);
  switch (type) {
    case 'object': {
      const required = requiredOf(s);
      if (depth >= MAX_DEPTH) return {};
      return Object.fromEntries(propertiesOf(s).filter(([name]) => required.has(name)).map(([name, property]) => [name, exampleValue(property, depth + 1)]));
    }
    case 'array':
      return typeof s.minItems === 'number' && s.minItems > 0 && depth < MAX_DEPTH ? Array.from({ length: s.minItems }, () => exampleValue(s.items, depth + 1)) : [];
    case 'integer':
    case 'number':
      if (typeof s.minimum === 'number') return s.minimum;
      if (typeof s.exclusiveMinimum === 'number') return type === 'integer' ? Math.floor(s.exclusiveMinimum) + 1 : s.exclusiveMinimum + 1;
      return typeof s.maximum === 'number' && s.maximum < 0 ? s.maximum : 0;
    case 'string':
      return typeof s.minLength === 'number' && s.minLength > 0 ? 'x'.repeat(s.minLength) : '';
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return null;
  }
}

/** The example params of a capability as pretty JSON; `{}` when its schema is not known yet. */
export function exampleParams(schema: JsonSchema | null): string {
  if (schema === null) return '{}';
  const value = exampleValue(schema);
  return JSON.stringify(typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}, null, 2);
}
