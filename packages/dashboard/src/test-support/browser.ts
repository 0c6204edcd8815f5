import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Chromium flags for a headless, quiet, offline run (root needs `--no-sandbox`). */
const ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where screenshots go: `test-output/` of this package (ignored by git, kept as CI artifacts). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-output/', import.meta.url));

/**
 * The OS's Chromium (Debian package `chromium`; `tools/scripts/bootstrap.sh` installs it in CI). Never
 * downloads a browser: without one the browser tests fail with this message.
 */
export function chromiumPath(): string {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (path.length > 0) return path;
    } catch {
      // Not on PATH under this name; try the next.
    }
  }
  throw new Error(
    'no chromium on PATH: install the OS package (apt-get install -y chromium) or set CHROMIUM_PATH',
  );
}

/** Launches headless Chromium from the OS. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ARGS, headless: true });
}

/** Saves a full-page screenshot as `test-output/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true });
}
