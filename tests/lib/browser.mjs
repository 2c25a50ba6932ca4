// browser.mjs - Debian's chromium driven by playwright-core, and axe-core
// results made readable. Never downloads a browser: the executable is
// $CHROMIUM_PATH, else /usr/bin/chromium (toolchain-notes.md).

import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import AxeBuilder from '@axe-core/playwright';
import { chromium } from 'playwright-core';

import { ROOT } from './gazette.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Screenshots and other artefacts go here (gitignored).
export const RESULTS = path.join(ROOT, 'test-results');

export function resultsDir() {
  mkdirSync(RESULTS, { recursive: true });
  return RESULTS;
}

// A headless chromium; throws a clear message when it is not installed.
export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no chromium at ${CHROMIUM}: apt-get install chromium, ` +
      'or set CHROMIUM_PATH');
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// One readable block per axe violation: rule, impact, help, and where.
export function formatViolations(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.map((n) => {
      const summary = (n.failureSummary || '').replace(/\n\s*/g, ' / ');
      return `      ${n.target.join(' ')}\n        ${summary}`;
    }).join('\n');
    return `  - ${v.id} (${v.impact}): ${v.help}\n      ${v.helpUrl}\n${nodes}`;
  }).join('\n');
}

// Runs axe-core (its default rule set) on the page as it is now and
// resolves to the violations.
export async function axeViolations(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations;
}
