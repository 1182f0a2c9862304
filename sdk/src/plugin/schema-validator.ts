import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from '../protocol/messages.ts';

// ajv-formats is CommonJS; under NodeNext its function sits on `.default`.
const addFormats = addFormatsModule.default;

/** One validation failure, in the shape CapabilityInvalidParams carries. */
export interface ValidationIssue {
  instancePath: string;
  message: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** A compiled schema: returns the issues, or an empty array when the value is valid. */
export type SchemaCheck = (value: unknown) => ValidationIssue[];

/** Compiles JSON Schemas with one shared ajv instance (all errors, standard formats). */
export class SchemaValidator {
  readonly #ajv = new Ajv({ allErrors: true, strict: false });

  constructor() {
    addFormats(this.#ajv);
  }

  /** Compiles `schema`; throws with the schema error when it is not a valid JSON Schema. */
  compile(schema: JsonSchema): SchemaCheck {
    const validate: ValidateFunction = this.#ajv.compile(schema);
    return (value) => (validate(value) ? [] : toIssues(validate.errors ?? []));
  }
}

function toIssues(errors: ErrorObject[]): ValidationIssue[] {
  return errors.map((error) => ({
    instancePath: error.instancePath,
    message: error.message ?? 'is invalid',
    keyword: error.keyword,
    params: error.params as Record<string, unknown>,
  }));
}

/** One line per issue, e.g. `/count must be integer`. */
export function formatIssues(issues: ValidationIssue[]): string {
  return issues.map((issue) => `${issue.instancePath || '(root)'} ${issue.message}`).join('; ');
}
