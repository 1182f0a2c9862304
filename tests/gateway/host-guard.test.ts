import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { HostGuard, isOwnOrigin } from '../../kernel/src/gateway/host-guard.ts';

const settings = (host: string, allowedHosts: string[] = []) => ({ host, allowedHosts, allowedOrigins: [] });

describe('HostGuard', () => {
  it('serves the bind address with auth, with or without a port in Host', () => {
    const guard = new HostGuard(settings('192.0.2.7'), true);

    expect(guard.hostAllowed('192.0.2.7:6813')).toBe(true);
    expect(guard.hostAllowed('192.0.2.7')).toBe(true);
    expect(guard.hostAllowed('192.0.2.8:6813')).toBe(false);
  });

  it('serves every address of this machine for a wildcard bind with auth, and no other name', () => {
    const guard = new HostGuard(settings('0.0.0.0'), true);
    const addresses = Object.values(networkInterfaces()).flat().map((entry) => entry!.address);

    for (const address of addresses) expect(guard.hostAllowed(address.includes(':') ? `[${address}]:1` : `${address}:1`), address).toBe(true);
    expect(guard.hostAllowed('evil.example:1')).toBe(false);
  });

  it('serves only loopback names without auth, ignoring the bind address and allowedHosts', () => {
    const guard = new HostGuard(settings('127.0.0.2', ['studio.example']), false);

    expect(guard.hostAllowed('[::1]:6813')).toBe(true);
    expect(guard.hostAllowed('localhost')).toBe(true);
    expect(guard.hostAllowed('studio.example')).toBe(false);
    expect(guard.hostAllowed(undefined)).toBe(false);
  });
});

describe('isOwnOrigin', () => {
  it('compares scheme, host and port exactly', () => {
    expect(isOwnOrigin('http://127.0.0.1:6813', '127.0.0.1:6813')).toBe(true);
    expect(isOwnOrigin('http://LOCALHOST:6813', 'localhost:6813')).toBe(true);
    expect(isOwnOrigin('http://127.0.0.1', '127.0.0.1:80')).toBe(true);
    expect(isOwnOrigin('http://127.0.0.1:5173', '127.0.0.1:6813')).toBe(false);
    expect(isOwnOrigin('https://127.0.0.1:6813', '127.0.0.1:6813')).toBe(false);
    expect(isOwnOrigin('null', '127.0.0.1:6813')).toBe(false);
    expect(isOwnOrigin('http://127.0.0.1:6813', undefined)).toBe(false);
  });

  it('refuses an Origin that carries userinfo or a path, which no browser sends', () => {
    expect(isOwnOrigin('http://evil@127.0.0.1:6813', '127.0.0.1:6813')).toBe(false);
    expect(isOwnOrigin('http://127.0.0.1:6813/x', '127.0.0.1:6813')).toBe(false);
  });
});
