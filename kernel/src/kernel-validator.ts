import { SchemaValidator } from '@cyberstudio/sdk';

/** The kernel's one ajv instance: handshake results, capability params, configs and management params. */
export const kernelValidator = new SchemaValidator();
