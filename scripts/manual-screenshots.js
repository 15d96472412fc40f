// The manual's pictures of `igprep review` (docs/manual/03-faces.md), taken
// in Debian's Chromium (headless) driven by puppeteer-core, launched as
// tests/integration/review-browser.js launches it. Called by
// scripts/make-manual.sh on a copy of the sample shoot:
//   node manual-screenshots.js URL IMAGES
// Clears IMG_0012.HEIC's face f1 with consent reference C-017 and person
// label P-01, as the manual tells the reader to, and writes
//   IMAGES/review-consent.png  the consent dialog, filled in;
//   IMAGES/review-page.png     the page after the save (the face green).
'use strict';

const path = require('path');
const puppeteer = require(path.join(process.env.IGP_JS_MODULES, 'puppeteer-core'));

const [url, images] = process.argv.slice(2);
const face = 'rect[data-media="IMG_0012.HEIC"][data-face="f1"]';

async function waitSaved(page, n) {
  await page.waitForFunction((k) => Number(document.body.dataset.saves || 0) >= k, { timeout: 30000 }, n);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete), { timeout: 30000 });
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    await page.setExtraHTTPHeaders({ 'Accept-Language': 'ja-JP,ja;q=0.9' });
    await page.goto(url, { waitUntil: 'networkidle0' });
    await page.waitForSelector('body[data-ready="1"]');
    await page.waitForFunction(() => [...document.images].every((i) => i.complete), { timeout: 30000 });

    const box = await page.waitForSelector(face, { visible: true });
    await box.click();
    await page.waitForSelector('#consent-dialog[open]');
    await page.type('#dlg-consent', 'C-017');
    await page.type('#dlg-person', 'P-01');
    await page.screenshot({ path: path.join(images, 'review-consent.png') });
    await page.keyboard.press('Enter');
    await waitSaved(page, 1);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(images, 'review-page.png') });
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(`manual-screenshots: ${e.message}`);
  process.exit(1);
});
