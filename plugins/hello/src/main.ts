import { runPlugin } from '@cyberstudio/sdk/node';
import { helloPlugin } from './hello-plugin.ts';

runPlugin(helloPlugin);
