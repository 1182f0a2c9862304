import { runPlugin } from '@cyberstudio/sdk/node';
import { authPlugin } from './auth-plugin.ts';

runPlugin(authPlugin);
