import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot } from '../test-support/browser.js';
import { startHarness, type Harness } from '../test-support/harness.js';
import { memoryInit } from '../test-support/backend-init.js';

const TOKEN = 'browser-test-token';

describe('dashboard with a token, in a browser', () => {
  let browser: Browser;
  let h: Harness;

  beforeAll(async () => {
    browser = await launchBrowser();
    h = await startHarness(await memoryInit.create(), { token: TOKEN });
  });
  afterAll(async () => {
    await h?.close();
    if (h !== undefined) await memoryInit.destroy(h.backend);
    await browser?.close();
  });

  it('refuses requests without the token and asks for it; with it the runs appear', async () => {
    const started = await h.api('/api/runs', {
      method: 'POST',
      body: { workflow: 'quick', input: 4 },
      token: TOKEN,
    });
    const { runId } = (await started.json()) as { runId: string };
    const page = await browser.newPage({ viewport: { width: 1280, height: 600 } });
    await page.goto(h.dashboard.url);
    // The page does not embed a user's token: its API calls are refused until the user gives it.
    expect(await page.locator('meta[name="floxide-token"]').count()).toBe(0);
    await page.waitForSelector('form.token-form');
    const refused = await page.evaluate(async () => {
      const read = await fetch('/api/runs');
      const write = await fetch('/api/runs', { method: 'POST', body: '{"workflow":"quick","input":1}' });
      return [read.status, write.status];
    });
    expect(refused).toEqual([401, 401]);
    await screenshot(page, 'token-required');
    await page.fill('form.token-form input', TOKEN);
    await page.click('form.token-form button');
    await page.waitForSelector(`tr[data-run-id="${runId}"]`);
    expect(await page.locator('form.token-form').count()).toBe(0);
    await page.close();
  });
});
