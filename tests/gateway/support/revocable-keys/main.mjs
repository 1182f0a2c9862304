// revocable-keys: an identity provider whose keys can be revoked while the kernel runs, so a
// test can check that a revoked key stops working on sockets that are already open.
// config.keys: { "<key>": { id, roles } }. Capabilities:
//   keys.authenticate {credential: {kind, value}} -> the user, or Unauthenticated (-32012)
//   keys.revoke {key}                              -> {} ; the key is rejected from then on
import { serveFixture, unknownMethod } from '../../../fixtures/raw-protocol.mjs';

const revoked = new Set();

const state = serveFixture('revocable-keys', {
  capabilities: ['keys.authenticate', 'keys.revoke'],
  onRequest(method, params = {}) {
    if (method === 'keys.revoke') {
      revoked.add(params.key);
      return {};
    }
    if (method !== 'keys.authenticate') throw unknownMethod(method);
    const key = params.credential?.value;
    const user = revoked.has(key) ? undefined : state.config.keys?.[key];
    if (!user) throw { code: -32012, message: 'Not signed in: unknown or revoked key', data: { reason: 'revoked' } };
    return user;
  },
});
