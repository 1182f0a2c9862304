/**
 * Writes the project's tiny GGUF model: `node --import tsx plugins/llmserver/scripts/generate-tiny-model.ts <out.gguf> [--seed N]`.
 * Prints the path and size; exits 2 on bad usage, 1 when writing fails.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateTinyModel } from '../src/tiny-model/generate-tiny-model.ts';

const usage = 'usage: generate-tiny-model <out.gguf> [--seed <non-negative integer>]';

function parseCommandLine(): { file: string; seed: number | undefined } | undefined {
  try {
    const { values, positionals } = parseArgs({ options: { seed: { type: 'string' } }, allowPositionals: true });
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (positionals.length !== 1 || (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0))) return undefined;
    return { file: path.resolve(positionals[0]!), seed };
  } catch {
    return undefined;
  }
}

const commandLine = parseCommandLine();
if (!commandLine) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
try {
  const result = await generateTinyModel(commandLine.file, { seed: commandLine.seed });
  process.stdout.write(`${result.file}\n${result.bytes} bytes (${(result.bytes / 1024).toFixed(1)} KiB), ${result.parameterCount} parameters, ${result.vocabSize} tokens, seed ${result.seed}\n`);
} catch (error) {
  process.stderr.write(`generate-tiny-model: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
