// Drives `igprep review`'s page in Debian's Chromium (headless) with
// puppeteer-core, as an editor would: clicks, keys, drags. Called by
// t-review-browser.sh:
//   node review-browser.js PHASE URL ARTEFACTS
// PHASE "review": the four acceptance actions on the sample shoot;
// PHASE "withdraw": take IMG_0012.HEIC f1's clearance back through the page.
// Prints one JSON line of measurements ({"clicks":..., "keys":..., "seconds":...}).
'use strict';

const path = require('path');
const puppeteer = require(path.join(process.env.IGP_JS_MODULES, 'puppeteer-core'));

const [phase, url, artefacts] = process.argv.slice(2);
const stats = { clicks: 0, keys: 0, drags: 0, typed: 0 };

function fail(message) {
  throw new Error(message);
}

async function saves(page) {
  return page.evaluate(() => Number(document.body.dataset.saves || 0));
}

// Wait until the page has saved @p n times in all, and every image is loaded.
async function waitSaved(page, n) {
  await page.waitForFunction((k) => Number(document.body.dataset.saves || 0) >= k, { timeout: 15000 }, n);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete), { timeout: 15000 });
}

const box = (media, face) => `rect[data-media="${media}"][data-face="${face}"]`;

async function click(page, selector, options = {}) {
  const e = await page.waitForSelector(selector, { visible: true });
  await e.scrollIntoView();
  await e.click(options);
  stats.clicks++;
}

async function key(page, name) {
  await page.keyboard.press(name);
  stats.keys++;
}

async function type(page, selector, text) {
  await page.type(selector, text);
  stats.typed += text.length;
}

async function shot(page, name) {
  const file = path.join(artefacts, name);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  console.error(`screenshot: ${file}`);
}

async function undecided(page) {
  return page.$eval('#undecided-count', (e) => Number(e.dataset.undecided));
}

async function review(page) {
  const before = await undecided(page);
  if (before !== 4) fail(`the counter shows ${before} undecided faces at the start, expected 4`);
  await shot(page, '1-before.png');
  const t0 = Date.now();

  // 1. Clear one face with a consent reference: a click, the dialog asks.
  await click(page, box('IMG_0012.HEIC', 'f1'));
  await page.waitForSelector('#consent-dialog[open]');
  await type(page, '#dlg-consent', 'C-017');
  await key(page, 'Enter');
  await waitSaved(page, 1);

  // 2. A false box is not a face: the keyboard (the next face, then N).
  await key(page, 'ArrowRight');
  const focused = await page.$eval('.face.focus', (e) => e.dataset.face);
  if (focused !== 'f2') fail(`ArrowRight moved to ${focused}, expected f2`);
  await key(page, 'n');
  await waitSaved(page, 2);

  // 3. A manual box over the cat's face, which the detector rightly left.
  const svg = await page.waitForSelector('svg[data-media="IMG_0015.JPG"]', { visible: true });
  await svg.scrollIntoView();
  const r = await svg.boundingBox();
  await page.mouse.move(r.x + r.width * 0.3, r.y + r.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(r.x + r.width * 0.55, r.y + r.height * 0.5, { steps: 8 });
  await page.mouse.move(r.x + r.width * 0.8, r.y + r.height * 0.85, { steps: 8 });
  await page.mouse.up();
  stats.drags++;
  await waitSaved(page, 3);

  // 4. One person in two photos, one action: select both, label, consent.
  await page.keyboard.down('Shift');
  await click(page, box('IMG_0012.HEIC', 'f1'));
  await click(page, box('IMG_0013.JPG', 'f1'));
  await page.keyboard.up('Shift');
  const selected = await page.$$eval('.face.selected', (l) => l.map((e) => `${e.dataset.media}/${e.dataset.face}`));
  if (selected.length !== 2) fail(`expected 2 faces selected, got ${JSON.stringify(selected)}`);
  await type(page, '#sel-person', 'P-01');
  await type(page, '#sel-consent', 'C-017');
  await click(page, '#sel-clear');
  await waitSaved(page, 4);
  const seconds = (Date.now() - t0) / 1000;

  // The video's tracks: first/middle/last crops drawn, and scrubbing seeks.
  const track = await page.waitForSelector('.track[data-face="t1"] input[type=range]');
  await track.scrollIntoView();
  const keys = await page.$eval('.track[data-face="t1"] input[type=range]', (e) => Number(e.max) + 1);
  await page.$eval('.track[data-face="t1"] input[type=range]', (e) => {
    e.value = String(Math.floor(Number(e.max) / 2));
    e.dispatchEvent(new Event('input'));
  });
  await page.waitForFunction(() => document.querySelector('.card.video video').currentTime > 0.5, { timeout: 10000 });
  const cropsDrawn = await page.$$eval('.track canvas', (l) => l.every((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let min = 255, max = 0;
    for (let i = 0; i < d.length; i += 4 * 97) { min = Math.min(min, d[i]); max = Math.max(max, d[i]); }
    return max - min > 40; // a picture, not the empty grey
  }));
  if (!cropsDrawn) fail('a track crop was not drawn');

  const after = await undecided(page);
  if (after !== 1) fail(`the counter shows ${after} undecided faces after the review, expected 1 (the video's track)`);
  const legend = await page.$eval('#legend', (e) => e.textContent);
  if (!legend.includes('許可')) fail(`the page is not in Japanese: legend '${legend}'`);
  await shot(page, '2-after-review.png');
  return { seconds, track_keys: keys, undecided_before: before, undecided_after: after };
}

async function withdraw(page) {
  // The first face of the page is IMG_0012.HEIC f1, cleared: H hides it.
  await key(page, 'ArrowRight');
  const focused = await page.$eval('.face.focus', (e) => `${e.dataset.media}/${e.dataset.face}`);
  if (focused !== 'IMG_0012.HEIC/f1') fail(`ArrowRight focused ${focused}`);
  const state = await page.$eval('.face.focus', (e) => e.className);
  if (!state.includes('cleared')) fail(`IMG_0012.HEIC f1 is not shown cleared before: ${state}`);
  await key(page, 'h');
  await waitSaved(page, 1);
  const now = await page.$eval('.face[data-face="f1"][data-media="IMG_0012.HEIC"]', (e) => e.className);
  if (!now.includes('hidden')) fail(`IMG_0012.HEIC f1 is not shown hidden after H: ${now}`);
  await shot(page, '3-consent-withdrawn.png');
  return {};
}

async function english(page, browser) {
  // The same page for a browser that prefers English.
  const en = await browser.newPage();
  await en.setViewport({ width: 1400, height: 900 });
  await en.setExtraHTTPHeaders({ 'Accept-Language': 'en-GB,en;q=0.9,ja;q=0.5' });
  await en.goto(url, { waitUntil: 'networkidle0' });
  await en.waitForSelector('body[data-ready="1"]');
  const legend = await en.$eval('#legend', (e) => e.textContent);
  if (!legend.includes('cleared')) fail(`the page is not in English for an English browser: '${legend}'`);
  await en.close();
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  let result;
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
    await page.setViewport({ width: 1400, height: 1000 });
    await page.setExtraHTTPHeaders({ 'Accept-Language': 'ja-JP,ja;q=0.9,en;q=0.5' });
    await page.goto(url, { waitUntil: 'networkidle0' });
    await page.waitForSelector('body[data-ready="1"]');
    result = phase === 'review' ? await review(page) : await withdraw(page);
    if (phase === 'review') await english(page, browser);
    if (errors.length) fail(`the page had errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify({ phase, ...stats, ...result }));
})().catch((e) => {
  console.error(`review-browser: ${e.message}`);
  process.exit(1);
});
