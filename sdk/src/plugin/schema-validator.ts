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

/**
 * Compiles JSON Schemas with one shared ajv instance (all errors, standard formats), each on its
 * first use: compiling is most of a plugin's start-up otherwise (ajv compiles its meta-schema
 * first, about 45 ms here), and a plugin answers `initialize` before any call needs a check.
 */
export class SchemaValidator {
  #ajv: Ajv | undefined;

  /**
   * A check for `schema`, compiled the first time it runs; that run throws an Error naming
   * `label` when `schema` is not a valid JSON Schema. `compileNow` compiles up front instead.
   */
  compile(schema: JsonSchema, label = 'a schema'): SchemaCheck {
    let validate: ValidateFunction | undefined;
    return (value) => {
      validate ??= this.#compile(schema, label);
      return validate(value) ? [] : toIssues(validate.errors ?? []);
    };
  }

  /** Compiles `schema` at once; throws an Error naming `label` when it is not a valid JSON Schema. */
  compileNow(schema: JsonSchema, label = 'a schema'): SchemaCheck {
    const validate = this.#compile(schema, label);
    return (value) => (validate(value) ? [] : toIssues(validate.errors ?? []));
  }

  #compile(schema: JsonSchema, label: string): ValidateFunction {
    try {
      return this.#instance().compile(schema);
    } catch (error) {
      throw new Error(`${label} is not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #instance(): Ajv {
    if (this.#ajv === undefined) {
      this.#ajv = new Ajv({ allErrors: true, strict: false });
      addFormats(this.#ajv);
    }
    return this.#ajv;
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
