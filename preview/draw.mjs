// Draws HTML files in headless Chromium (CHROMIUM_PATH, else Debian's chromium on PATH: no browser download)
// and measures the contrast of every drawn text (preview/contrast.mjs).
// Usage: node preview/draw.mjs jobs.json results.json
//   jobs: [{ "html": "file.html", "png": "out.png", "width": 375, "colorScheme": "light" | "dark" }]
//   results: { "errors": ["<png>: <page error>"], "contrast": { "<png>": { texts, clipped } } }
// Exits 1 when Chromium cannot start.
/* global document -- inside page.evaluate */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../scripts/ensure-system-deps.mjs';
import { measureContrast } from './contrast.mjs';

const [jobsFile, resultsFile] = process.argv.slice(2);
const jobs = JSON.parse(fs.readFileSync(jobsFile, 'utf8'));
const browser = await chromium.launch({
  // The same lookup `npm run preview` checked (and installed for) before jest started.
  executablePath: chromiumPath() ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--font-render-hinting=none', '--disable-lcd-text'],
});
const errors = [];
const contrast = {};
const timings = [];
try {
  // One context per screen width and colour scheme: prefers-color-scheme and reduced motion are emulated.
  // A short viewport: a full-page screenshot is then as tall as the content (no empty screen below a bare component).
  const contexts = new Map();
  const contextFor = async ({ width, colorScheme }) => {
    const key = `${width}-${colorScheme}`;
    if (!contexts.has(key)) {
      contexts.set(key, await browser.newContext({ viewport: { width, height: 120 }, deviceScaleFactor: 2, colorScheme, reducedMotion: 'reduce' }));
    }
    return contexts.get(key);
  };
  // Two pages at a time (Chromium's renderer and compositor keep both cores busy); a worker keeps
  // one page per context and loads each HTML into it (a new page costs a renderer start).
  let next = 0;
  const worker = async () => {
    const pages = new Map();
    let current;
    const pageFor = async (job) => {
      const key = `${job.width}-${job.colorScheme}`;
      if (!pages.has(key)) {
        const page = await (await contextFor(job)).newPage();
        page.on('pageerror', (e) => errors.push(`${current.png}: ${e.message}`));
        page.on('console', (m) => m.type() === 'error' && errors.push(`${current.png}: ${m.text()}`));
        pages.set(key, page);
      }
      return pages.get(key);
    };
    while (next < jobs.length) {
      const job = (current = jobs[next++]);
      const t0 = performance.now();
      const page = await pageFor(job);
      await page.setContent(fs.readFileSync(job.html, 'utf8'), { waitUntil: 'load' });
      await page.evaluate(() => document.fonts.ready);
      const t1 = performance.now();
      fs.writeFileSync(job.png, await page.screenshot({ fullPage: true, animations: 'disabled', caret: 'hide' }));
      const t2 = performance.now();
      contrast[job.png] = await page.evaluate(measureContrast);
      timings.push({ png: job.png, load: Math.round(t1 - t0), screenshot: Math.round(t2 - t1), contrast: Math.round(performance.now() - t2) });
    }
  };
  await Promise.all([worker(), worker()]);
} finally {
  await browser.close();
}
fs.writeFileSync(resultsFile, JSON.stringify({ errors, contrast, timings }));
