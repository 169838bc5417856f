// browser_sar_bundle (tests/CMakeLists.txt): the subject access bundle's
// record.html (`carelog sar`) as its reader gets it — a child or care leaver
// opening one file, and printing it. Opened in Chromium under a policy that
// allows what the document says it needs (its inline stylesheet) and nothing
// else, it must: ask for nothing but itself and run no script; pass axe-core's
// WCAG 2.0/2.1/2.2 A and AA rules; have the plain-language sections, one
// entry per event of record.json, each dated in UK format; show the
// requester's name and reference as text; name the head that record.json
// holds; reflow at 320px; and print to A4 with every entry still shown and
// nothing wider than the page. Saves screenshots of the screen and print
// views and the PDF into SCREENSHOT_DIR.
// Usage: node sar_bundle.js BUNDLE_DIR SCREENSHOT_DIR
'use strict';

const fs = require('fs');
const path = require('path');
const {requireBrowserPackages, launchChromium, checkAccessibility} = require('./axe_check');
const {serveDirectory} = require('./static_server');

requireBrowserPackages();

// What a self-contained document needs: its own <style>, nothing more.
const BUNDLE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

const SECTIONS = [
  'About this record',
  'Everything recorded about you, in date order',
  'Corrections and withdrawals',
  'Deadlines the council had to meet and whether it met them',
  'Who has looked at your record',
  'How to check this record has not been changed',
];

const UK_DATE = /^\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}: /;

async function main() {
  const [bundleDir, shots] = process.argv.slice(2);
  if (!bundleDir || !shots) {
    console.error('usage: node sar_bundle.js BUNDLE_DIR SCREENSHOT_DIR');
    process.exit(2);
  }
  const json = JSON.parse(fs.readFileSync(path.join(bundleDir, 'record.json'), 'utf8'));
  const server = await serveDirectory(bundleDir, BUNDLE_CSP);
  const browser = await launchChromium();
  const problems = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({width: 1024, height: 768});
    page.on('console', (msg) => {
      if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) {
        problems.push(`console ${msg.type()}: ${msg.text()}`);
      }
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    const response = await page.goto(`${server.origin}/record.html`, {waitUntil: 'load'});
    if (!response || response.status() !== 200) throw new Error(`record.html: HTTP ${response && response.status()}`);
    const others = server.requests.filter((p) => p !== '/record.html');
    if (others.length > 0) problems.push(`the document asked for other files: ${others.join(', ')}`);

    const doc = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      title: document.title,
      scripts: document.scripts.length,
      external: [...document.querySelectorAll('link[href], img[src], iframe, object, embed')].length,
      h1: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim()),
      h2: [...document.querySelectorAll('h2')].map((h) => h.textContent.trim()),
      entries: document.querySelectorAll('section.entry').length,
      entryHeadings: [...document.querySelectorAll('section.entry h3')].map((h) => h.textContent.trim()),
      text: document.body.innerText,
      injected: [...document.querySelectorAll('em')].filter((e) => e.textContent === '17').length,
    }));
    if (doc.lang !== 'en-GB' && doc.lang !== 'en') problems.push(`html lang is '${doc.lang}', want en-GB`);
    if (!doc.title) problems.push('the document has no title');
    if (doc.scripts !== 0) problems.push(`${doc.scripts} script element(s): the document must run none`);
    if (doc.external !== 0) problems.push(`${doc.external} element(s) that load something else`);
    if (doc.h1.length !== 1) problems.push(`${doc.h1.length} h1 headings, want 1`);
    for (const s of SECTIONS) {
      if (!doc.h2.includes(s)) problems.push(`no section headed '${s}' (h2s: ${doc.h2.join(' | ')})`);
    }
    if (doc.entries !== json.events.length) {
      problems.push(`${doc.entries} entries on the page, record.json has ${json.events.length} events`);
    }
    const notUk = doc.entryHeadings.filter((h) => !UK_DATE.test(h));
    if (doc.entryHeadings.length === 0 || notUk.length > 0) {
      problems.push(`entry headings not dated like '3 March 2024: ...': ${notUk.slice(0, 3).join(' | ') || 'none found'}`);
    }
    for (const needed of ["Jane O'Neil", 'SAR <em>17</em> & co', json.head.rootHash, String(json.head.treeSize)]) {
      if (!doc.text.includes(needed)) problems.push(`the page does not show '${needed}'`);
    }
    if (doc.injected !== 0) problems.push('the reference became markup: it was not escaped');

    try {
      await checkAccessibility(page, 'record.html');
      console.log('record.html: no axe violations (WCAG 2.0/2.1/2.2 A and AA)');
    } catch (e) {
      problems.push(e.message);
    }
    await page.screenshot({path: path.join(shots, 'sar_bundle.png')});

    // WCAG 1.4.10: one column at 320 CSS pixels; a wide table scrolls in its own box.
    await page.setViewport({width: 320, height: 640});
    const narrow = await page.evaluate(() => document.documentElement.scrollWidth);
    if (narrow > 320) problems.push(`${narrow}px wide at a 320px viewport: the document does not reflow`);

    // Printed on A4 (210 mm at 96 dpi is 794 px, less the page margins):
    // every entry still there, nothing wider than the paper.
    await page.setViewport({width: 794, height: 1123});
    await page.emulateMediaType('print');
    const printed = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      shownEntries: [...document.querySelectorAll('section.entry')]
          .filter((e) => e.getBoundingClientRect().height > 0).length,
    }));
    if (printed.width > 794) problems.push(`printed, the document is ${printed.width}px wide: wider than A4`);
    if (printed.shownEntries !== json.events.length) {
      problems.push(`printed, ${printed.shownEntries} of ${json.events.length} entries are shown`);
    }
    await page.screenshot({path: path.join(shots, 'sar_bundle_print.png')});
    const pdf = await page.pdf({format: 'A4', printBackground: false});
    const pdfBytes = Buffer.from(pdf);
    if (pdfBytes.subarray(0, 5).toString('latin1') !== '%PDF-') problems.push('printing did not make a PDF');
    const pages = (pdfBytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    if (pages < 2) problems.push(`the printed record is ${pages} page(s): its ${json.events.length} entries cannot fit one`);
    fs.writeFileSync(path.join(shots, 'sar_bundle.pdf'), pdfBytes);
    console.log(`printed: ${pages} A4 pages, ${json.events.length} entries; screenshots and PDF in ${shots}`);
    await page.close();
  } finally {
    await browser.close();
    await server.close();
  }
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
