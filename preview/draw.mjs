// Draws HTML files in headless Chromium (CHROMIUM_PATH, else Debian's chromium on PATH: no browser download).
// Usage: node preview/draw.mjs jobs.json  — jobs: [{ "html": "file.html", "png": "out.png" }]
// Prints a JSON array of page errors; exits 1 when Chromium cannot start.
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../scripts/ensure-system-deps.mjs';

const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const browser = await chromium.launch({
  // The same lookup `npm run preview` checked (and installed for) before jest started.
  executablePath: chromiumPath() ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];
try {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
  for (const { html, png } of jobs) {
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`${png}: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && errors.push(`${png}: ${m.text()}`));
    await page.setContent(fs.readFileSync(html, 'utf8'), { waitUntil: 'load' });
    fs.writeFileSync(png, await page.screenshot({ fullPage: true }));
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(errors));
