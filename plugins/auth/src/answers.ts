// The auth plugin's answer types that outside clients (the studio) read, behind the `./answers`
// export. The modules re-exported here have no imports, so a browser build can check against them.

export type { IssuedKey, KeyView, Role, UserView } from './identity/identity-views.ts';
export type { UsageDay } from './metering/usage-day.ts';
