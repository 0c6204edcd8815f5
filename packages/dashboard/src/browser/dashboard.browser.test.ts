import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../test-support/browser.js';
import { startHarness, type Harness } from '../test-support/harness.js';
import { openGate } from '../test-support/workflows.js';
import { memoryInit } from '../test-support/backend-init.js';
import { waitFor } from '../test-support/wait-for.js';

describe('dashboard in a browser (memory backend)', () => {
  let browser: Browser;
  let h: Harness;
  let page: Page;

  const start = async (workflow: string, input: unknown): Promise<string> => {
    // No user token: the dashboard generated one, which state-changing API calls must carry.
    const response = await h.api('/api/runs', {
      method: 'POST',
      body: { workflow, input },
      token: h.dashboard.token,
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { runId: string }).runId;
  };
  const node = (name: string, state: string): string => `g[data-node="${name}"][data-state="${state}"]`;

  beforeAll(async () => {
    browser = await launchBrowser();
    h = await startHarness(await memoryInit.create());
  });
  afterEach(async () => {
    await page?.close();
  });
  afterAll(async () => {
    await h?.close();
    if (h !== undefined) await memoryInit.destroy(h.backend);
    await browser?.close();
  });

  it('shows runs started through the API as they appear, without a reload', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(h.dashboard.url);
    await page.waitForSelector('table.runs');
    const ids = [await start('quick', 1), await start('quick', 2), await start('failing', 3)];
    for (const id of ids) await page.waitForSelector(`tr[data-run-id="${id}"]`);
    await page.waitForSelector(`tr[data-run-id="${ids[2]}"][data-status="failed"]`);
    await screenshot(page, 'runs');
    // Filter by status through the select: only the failed run stays.
    await page.selectOption('select[name="status"]', 'failed');
    await page.waitForSelector(`tr[data-run-id="${ids[0]}"]`, { state: 'detached' });
    expect(await page.locator(`tr[data-run-id="${ids[2]}"]`).count()).toBe(1);
  });

  it('colours the graph as the run progresses', async () => {
    const key = `browser-graph-${Date.now()}`;
    const id = await start('gated', { gate: key });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${h.dashboard.url}#/runs/${id}`);
    await page.waitForSelector(node('wait', 'running'));
    expect(await page.locator(node('fetch', 'completed')).count()).toBe(1);
    expect(await page.locator(node('store', 'idle')).count()).toBe(1);
    await screenshot(page, 'run-in-progress');
    openGate(key);
    await page.waitForSelector(node('store', 'completed'));
    await page.waitForSelector('section.run[data-status="completed"]');
    expect(await page.locator('pre.output').textContent()).toContain('ABC');
    expect(await page.locator('table.timeline tbody tr').count()).toBeGreaterThanOrEqual(7);
    await screenshot(page, 'run-completed');
  });

  it('pauses and resumes a run with the buttons', async () => {
    const key = `browser-pause-${Date.now()}`;
    const id = await start('gated', { gate: key });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${h.dashboard.url}#/runs/${id}`);
    await page.waitForSelector(node('wait', 'running'));
    await page.click('button[name="pause"]');
    await page.waitForSelector('section.run[data-status="paused"]');
    expect(await page.locator('button[name="resume"]').isEnabled()).toBe(true);
    expect(await page.locator('button[name="pause"]').isDisabled()).toBe(true);
    await screenshot(page, 'run-paused');
    await page.click('button[name="resume"]');
    await page.waitForSelector('section.run[data-status="running"]');
    openGate(key);
    await page.waitForSelector('section.run[data-status="completed"]');
  });

  it('shows a failed run with its error message and, collapsed, its stack', async () => {
    const id = await start('failing', 1);
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${h.dashboard.url}#/runs/${id}`);
    await page.waitForSelector('section.run[data-status="failed"]');
    expect(await page.locator('.run-error').textContent()).toContain(
      'disk quota exceeded while writing the report',
    );
    // The run's error keeps the stack of the error that failed it, collapsed too.
    expect(await page.locator('.run-error details.error-stack pre').isVisible()).toBe(false);
    await page.locator('.run-error details.error-stack summary').click();
    expect(await page.locator('.run-error details.error-stack pre').textContent()).toContain(
      'Error: disk quota exceeded while writing the report',
    );
    expect(await page.locator('table.errors .error-message').count()).toBe(2);
    // Each failed attempt's stack is there, collapsed until asked for.
    const stacks = page.locator('table.errors details.error-stack');
    expect(await stacks.count()).toBe(2);
    const firstStack = stacks.first().locator('pre');
    expect(await firstStack.isVisible()).toBe(false);
    await stacks.first().locator('summary').click();
    expect(await firstStack.isVisible()).toBe(true);
    const text = (await firstStack.textContent()) ?? '';
    expect(text).toContain('Error: disk quota exceeded while writing the report');
    // The frames point at the node that threw (test-support/workflows.ts).
    expect(text).toMatch(/\n\s+at .*workflows\.ts:\d+/);
    await page.waitForSelector(node('explode', 'failed'));
    expect(await page.locator('button[name="retry-failed"]').isEnabled()).toBe(true);
    await screenshot(page, 'run-failed');
  });

  it('shows a waiting run in the list, then sends it the signal from its page and sees it complete', async () => {
    const id = await start('approval', { amount: 900, answerWithinMs: 3_600_000 });
    await waitFor(async () => (await h.backend.runs.get(id))?.status === 'waiting');
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${h.dashboard.url}#/runs?status=waiting`);
    await page.waitForSelector(`tr[data-run-id="${id}"][data-status="waiting"]`);
    expect(await page.locator('select[name="status"]').inputValue()).toBe('waiting');
    await screenshot(page, 'runs-waiting');
    await page.click(`tr[data-run-id="${id}"] a`);
    await page.waitForSelector('section.run[data-status="waiting"]');
    const wait = page.locator('table.parked tr[data-signal="approval"]');
    await wait.waitFor();
    expect(await wait.textContent()).toMatch(/approval\s*ask.*\(in (59|60) m/);
    expect(await page.locator('input[name="signal-name"]').inputValue()).toBe('approval');
    expect(await page.locator(node('ask', 'waiting')).count()).toBe(1);
    expect(await page.locator('table.timeline tr[data-node="ask"]').getAttribute('data-result')).toBe(
      'waiting',
    );
    // A payload that is not JSON is refused here, before anything is sent.
    await page.fill('textarea[name="signal-payload"]', '{"approved": true,');
    await page.waitForSelector('.payload-error');
    expect(await page.locator('button[name="send-signal"]').isDisabled()).toBe(true);
    await page.fill('textarea[name="signal-payload"]', '{ "approved": true, "by": "grace" }');
    expect(await page.locator('button[name="send-signal"]').isEnabled()).toBe(true);
    await screenshot(page, 'run-waiting');
    await page.click('button[name="send-signal"]');
    await page.waitForSelector('section.run[data-status="completed"]');
    expect(await page.locator('.signal-result').textContent()).toContain("Signal 'approval' delivered");
    expect(await page.locator('pre.output').textContent()).toContain('approved by grace');
    await page.waitForSelector(node('decide', 'completed'));
    await screenshot(page, 'run-signalled');
  });

  it('lists the workers with their liveness, in-flight items and the queue depth', async () => {
    const key = `browser-workers-${Date.now()}`;
    await start('gated', { gate: key });
    page = await browser.newPage({ viewport: { width: 1280, height: 600 } });
    await page.goto(`${h.dashboard.url}#/workers`);
    const row = `tr[data-worker-id="${h.worker.id}"]`;
    await page.waitForSelector(row);
    expect(await page.locator(`${row} .badge`).textContent()).toBe('alive');
    // The three held `wait` steps show as the worker's in-flight items and as leased queue items.
    const inFlight = page.locator(`${row} td:nth-child(5)`);
    await expect
      .poll(async () => ((await inFlight.textContent()) ?? '').split(',').length, { timeout: 10_000 })
      .toBe(3);
    await page.waitForSelector('[data-stat="leased"] .value:text-is("3")');
    await screenshot(page, 'workers');
    openGate(key);
    await page.waitForSelector('[data-stat="leased"] .value:text-is("0")');
  });
});
