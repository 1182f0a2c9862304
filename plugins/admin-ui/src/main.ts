import { runPlugin } from '@cyberstudio/sdk/node';
import { adminUiPlugin } from './admin-ui-plugin.ts';

runPlugin(adminUiPlugin);
