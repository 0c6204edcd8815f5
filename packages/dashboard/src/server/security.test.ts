import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '@floxide/distributed';
import { createDashboardApp } from './create-dashboard-app.js';
import { serveDashboard } from './serve-dashboard.js';
import { assertBindAllowed, bearerToken, isLoopbackHostHeader, tokenMatches } from './security.js';

describe('dashboard security', () => {
  it('binds a non-loopback interface only with a token', async () => {
    expect(() => assertBindAllowed('0.0.0.0', undefined)).toThrow(/only with a token/);
    expect(() => assertBindAllowed('0.0.0.0', '')).toThrow(/only with a token/);
    expect(() => assertBindAllowed('0.0.0.0', 't')).not.toThrow();
    expect(() => assertBindAllowed('127.0.0.1', undefined)).not.toThrow();
    expect(() => assertBindAllowed('::1', undefined)).not.toThrow();
    const backend = new MemoryBackend();
    await expect(serveDashboard({ backend, host: '0.0.0.0', port: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await backend.close();
  });

  it('reads bearer tokens and compares them exactly', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
  });

  it('accepts only loopback Host headers on a loopback dashboard (DNS rebinding)', async () => {
    expect(isLoopbackHostHeader('127.0.0.1:4400')).toBe(true);
    expect(isLoopbackHostHeader('localhost:4400')).toBe(true);
    expect(isLoopbackHostHeader('[::1]:4400')).toBe(true);
    expect(isLoopbackHostHeader('evil.example:4400')).toBe(false);
    const backend = new MemoryBackend();
    const { app, close } = createDashboardApp({ backend });
    expect((await app.request('http://127.0.0.1:4400/api/runs')).status).toBe(200);
    expect((await app.request('http://evil.example:4400/api/runs')).status).toBe(403);
    await close();
    await backend.close();
  });

  it('needs the generated token for state changes without a user token, and hands it only to its page', async () => {
    const backend = new MemoryBackend();
    const { app, token, close } = createDashboardApp({ backend });
    const post = (auth?: string): Promise<Response> =>
      Promise.resolve(
        app.request('http://127.0.0.1/api/runs/x/pause', {
          method: 'POST',
          headers: auth === undefined ? {} : { Authorization: auth },
        }),
      );
    expect((await post()).status).toBe(401);
    expect((await post('Bearer nope')).status).toBe(401);
    expect((await post(`Bearer ${token}`)).status).toBe(404);
    const page = await app.request('http://127.0.0.1/');
    expect(await page.text()).toContain(`<meta name="floxide-token" content="${token}">`);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    await close();
    await backend.close();
  });
});
