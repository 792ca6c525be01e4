/**
 * Test-only: Debian's Chromium driven by playwright-core, shared by every browser test.
 *
 * Nothing here downloads a browser. Locally a missing Chromium skips the browser tests with
 * a message; in CI (CI set) it is a failure, because .ci/run installs Chromium.
 * Imported only by `*.test.ts` files: playwright-core is a devDependency.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Chromium lives: CHROMIUM_PATH, else Debian's package location. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when the browser tests should run (and then fail loudly if Chromium is missing). */
export function shouldRunBrowserTests(): boolean {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return true;
  console.warn(
    `browser test skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
  return false;
}

/**
 * Launches headless Chromium. The flags keep it off the network: without
 * --disable-background-networking it keeps dialling Google's hosts, which a sandboxed CI
 * machine refuses.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: CI must provide it (.ci/run installs it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
