// Monaco is some megabytes: it is fetched on the first editor shown, once, and shared after that.
type MonacoModule = typeof import('./monaco-setup.ts');

let loading: Promise<MonacoModule> | undefined;

/** Loads the Monaco chunk (editor, JSON language, workers); later calls share the first load. A failed load is retried next time. */
export function loadMonaco(): Promise<MonacoModule> {
  loading ??= import('./monaco-setup.ts').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
