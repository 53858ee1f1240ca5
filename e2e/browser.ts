/** Headless Chromium for end-to-end tests: Debian's `chromium` driven by playwright-core (no browser download). */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.IOC_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or false when they can. CI installs chromium (`.ci/run`). */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const why = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set IOC_TEST_CHROMIUM)`;
  if (process.env.IOC_TEST_REQUIRE_SERVERS === '1') throw new Error(`browser tests are required in CI: ${why}`);
  console.log(`# skipping browser tests: ${why}`);
  return why;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The machine has no network beyond localhost: Chromium's own background traffic is turned off.
    // WebGL (MapLibre) runs on SwiftShader, the software renderer.
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
  });
}

export const ARTIFACTS = join(new URL('..', import.meta.url).pathname, 'test-artifacts');

/** Saves a screenshot of the page as a test artefact (test-artifacts/<name>.png). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Collects what the page reports as errors (uncaught exceptions, console errors). */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}
