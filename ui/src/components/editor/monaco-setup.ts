// The Monaco editor, imported only through loadMonaco() so it lands in its own chunk and the
// studio's main bundle stays small. Selective imports (ENVIRONMENT.md): the editor core, the
// features a JSON editor uses, and the JSON language with its worker for schema diagnostics.
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/codeEditor/register';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/comment/register';
import 'monaco-editor/features/contextmenu/register';
import 'monaco-editor/features/cursorUndo/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/format/register';
import 'monaco-editor/features/hover/register';
import 'monaco-editor/features/indentation/register';
import 'monaco-editor/features/linesOperations/register';
import 'monaco-editor/features/multicursor/register';
import 'monaco-editor/features/suggest/register';
import 'monaco-editor/features/wordHighlighter/register';
import 'monaco-editor/features/wordOperations/register';
// The JSON language's lazy half (jsonMode) registers every editor contribution there is (through
// monaco's internal workers module). Loaded before the first editor, those contributions find
// their services; loaded after (on the first JSON model), later editors fail with "depends on
// UNKNOWN service".
import 'monaco-editor/languages/features/json/jsonMode';
import { jsonDefaults } from 'monaco-editor/languages/features/json/register';
// `?worker` makes vite emit each worker as a file of its own: the CSP allows workers only from 'self'.
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/languages/features/json/json.worker?worker';
import type { JsonSchema } from '../../capability-types.ts';

globalThis.MonacoEnvironment = {
  getWorker: (_workerId: string, label: string) => (label === 'json' ? new JsonWorker() : new EditorWorker()),
};

const schemas = new Map<string, JsonSchema>();

function publishSchemas(): void {
  jsonDefaults.setDiagnosticsOptions({
    validate: true,
    // JSON.parse takes no comments or trailing commas, so the editor reports them as errors.
    allowComments: false,
    comments: 'error',
    trailingCommas: 'error',
    enableSchemaRequest: false,
    schemaValidation: 'warning',
    schemas: [...schemas].map(([modelUri, schema]) => ({ uri: `${modelUri}#schema`, fileMatch: [modelUri], schema })),
  });
}
publishSchemas();

/** Validates the model at `modelUri` against `schema` (editor diagnostics); `undefined` stops it. */
export function setModelSchema(modelUri: string, schema: JsonSchema | undefined): void {
  if (schema === undefined) {
    if (!schemas.delete(modelUri)) return;
  } else {
    schemas.set(modelUri, schema);
  }
  publishSchemas();
}

/** The Monaco API (editor, languages, Uri), with the JSON language and the workers set up. */
export { monaco };
