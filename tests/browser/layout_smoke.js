// browser_layout_smoke (tests/CMakeLists.txt): opens the sample pages that
// tests/web_sample_page.cc wrote (the layout with every component) in
// Chromium, served with carelog's CSP, and fails on any axe-core WCAG 2.2 AA
// violation, any CSP violation or console error, any request that is not
// for the page or its /assets/, or a page wider than a 320px viewport. Saves a full-page screenshot of each page:
// the first at SCREENSHOT.png, the others beside it.
// Usage: node layout_smoke.js PAGES_DIR SCREENSHOT.png
'use strict';

const fs = require('fs');
const path = require('path');
const {requireBrowserPackages, launchChromium, checkAccessibility} = require('./axe_check');
const {serveDirectory} = require('./static_server');

requireBrowserPackages();

const PAGES = ['index.html', 'error.html'];

async function main() {
  const [pagesDir, screenshot] = process.argv.slice(2);
  if (!pagesDir || !screenshot) {
    console.error('usage: node layout_smoke.js PAGES_DIR SCREENSHOT.png');
    process.exit(2);
  }
  const server = await serveDirectory(pagesDir);
  const browser = await launchChromium();
  const problems = [];
  try {
    for (const name of PAGES) {
      const page = await browser.newPage();
      await page.setViewport({width: 1024, height: 768});
      page.on('console', (msg) => {
        if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) {
          problems.push(`${name}: console ${msg.type()}: ${msg.text()}`);
        }
      });
      page.on('pageerror', (err) => problems.push(`${name}: page error: ${err.message}`));
      page.on('requestfailed', (req) => problems.push(`${name}: request failed: ${req.url()}`));
      page.on('request', (req) => {
        const url = new URL(req.url());
        if (url.protocol === 'data:') return;
        if (url.origin !== server.origin || !(url.pathname === '/' + name || url.pathname.startsWith('/assets/'))) {
          problems.push(`${name}: unexpected request ${req.url()}`);
        }
      });
      const response = await page.goto(`${server.origin}/${name}`, {waitUntil: 'load'});
      if (!response || response.status() !== 200) {
        problems.push(`${name}: HTTP ${response && response.status()}`);
        continue;
      }
      // The stylesheets applied, with the system font, not GDS Transport.
      const look = await page.evaluate(() => ({
        font: getComputedStyle(document.querySelector('h1')).fontFamily,
        sheets: document.styleSheets.length,
        skipLinkHidden: document.querySelector('.govuk-skip-link').getBoundingClientRect().height <= 1,
      }));
      if (look.sheets !== 2) problems.push(`${name}: ${look.sheets} stylesheets applied, want 2`);
      if (!/^arial/i.test(look.font)) problems.push(`${name}: heading font is ${look.font}, want Arial first`);
      if (!look.skipLinkHidden) problems.push(`${name}: skip link visible before it has focus`);
      // WCAG 1.4.10: at 320 CSS pixels wide the page reflows into one
      // column; only a wide table scrolls, inside its own box.
      await page.setViewport({width: 320, height: 640});
      const narrow = await page.evaluate(() => document.documentElement.scrollWidth);
      if (narrow > 320) problems.push(`${name}: ${narrow}px wide at a 320px viewport: the page does not reflow`);
      await page.setViewport({width: 1024, height: 768});
      try {
        await checkAccessibility(page, name);
        console.log(`${name}: no axe violations (WCAG 2.0/2.1/2.2 A and AA)`);
      } catch (e) {
        problems.push(e.message);
      }
      // The first page at the path given, the others beside it with their
      // name: layout_smoke.png, layout_smoke_error.png.
      const shot = name === PAGES[0] ? screenshot
          : screenshot.replace(/\.png$/, `_${path.basename(name, '.html')}.png`);
      fs.mkdirSync(path.dirname(shot), {recursive: true});
      await page.screenshot({path: shot, fullPage: true});
      console.log(`screenshot: ${shot}`);
      await page.close();
    }
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
