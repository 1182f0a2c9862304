import { runPlugin } from '@cyberstudio/sdk/node';
import { llmPlugin } from './llm-plugin.ts';

runPlugin(llmPlugin);
