#!/usr/bin/env node
// The CLI runs the kernel's built JavaScript (kernel/dist, made by `npm install` or
// `npm run build:runtime`) under plain node: no TypeScript loader at run time.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'cyberstudio: the kernel is not built (kernel/dist/cli/main.js is missing).\n' +
      'Run `npm install` (it builds everything) or `npm run build:runtime`, then try again.\n',
  );
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
