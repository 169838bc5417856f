// Shared helpers for carelog's browser tests (Node.js, CommonJS):
//
//   requireBrowserPackages()  exits with "run npm ci --prefix tests/browser"
//                             when the pinned packages are not installed
//   launchChromium()          Debian's Chromium, headless, via puppeteer-core
//   checkAccessibility(page)  runs axe-core with the WCAG 2.0, 2.1 and 2.2
//                             A and AA rules; throws listing every violation
//
// How axe gets into the page: its source is evaluated through the DevTools
// protocol (page.evaluate), which a page's Content-Security-Policy does not
// govern. So no page.addScriptTag (which CSP's script-src 'self' blocks)
// and no page.setBypassCSP(true): the page under test keeps carelog's real
// CSP, and a test can report the page's own CSP violations too.
'use strict';

const fs = require('fs');
const path = require('path');

const NPM_CI_HINT = 'run npm ci --prefix tests/browser';

// Exits the process (status 1) with NPM_CI_HINT if puppeteer-core or
// axe-core is missing: a browser test must fail, not skip, without them.
function requireBrowserPackages() {
  for (const name of ['puppeteer-core', 'axe-core']) {
    try {
      require.resolve(name);
    } catch (e) {
      console.error(`${name} is not installed in ${path.join(__dirname, 'node_modules')}: ${NPM_CI_HINT}`);
      process.exit(1);
    }
  }
}

// The Chromium to drive: $CARELOG_CHROMIUM, else Debian's /usr/bin/chromium.
function chromiumPath() {
  return process.env.CARELOG_CHROMIUM || '/usr/bin/chromium';
}

// Launches headless Chromium. Chromium's sandbox cannot run as root, so
// --no-sandbox is passed then (and when CARELOG_CHROMIUM_NO_SANDBOX=1, for
// containers without user namespaces). Returns a puppeteer Browser; the
// caller closes it.
async function launchChromium() {
  const puppeteer = require('puppeteer-core');
  const executablePath = chromiumPath();
  if (!fs.existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: apt install chromium (or set CARELOG_CHROMIUM)`);
  }
  const args = ['--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check',
                '--font-render-hinting=none'];
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (asRoot || process.env.CARELOG_CHROMIUM_NO_SANDBOX === '1') args.push('--no-sandbox');
  return puppeteer.launch({
    executablePath,
    headless: true,
    args,
    // The tests' own timeouts (ctest's) bound the run.
    protocolTimeout: 120000,
  });
}

// The axe rules carelog's pages must pass: WCAG 2.0, 2.1 and 2.2 at A and AA.
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

// Runs axe-core on the page as loaded now. Resolves to axe's results when
// there is no violation; otherwise throws an Error whose message lists every
// violation (rule, impact, help, and each offending element's selector and
// axe's summary). `label` names the page in the message.
async function checkAccessibility(page, label = page.url()) {
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // See the file comment: evaluated over the DevTools protocol, not a
  // <script> tag, so the page's CSP stays in force.
  await page.evaluate(axeSource);
  const results = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    return await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  }, WCAG_TAGS);
  if (results.violations.length > 0) {
    const lines = [`${label}: ${results.violations.length} accessibility violation(s) (axe-core ${results.testEngine.version}):`];
    for (const v of results.violations) {
      lines.push(`- ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})`);
      for (const node of v.nodes) {
        lines.push(`    at ${node.target.join(' ')}: ${node.failureSummary.replace(/\n/g, ' ')}`);
      }
    }
    throw new Error(lines.join('\n'));
  }
  return results;
}

module.exports = {NPM_CI_HINT, WCAG_TAGS, requireBrowserPackages, launchChromium, checkAccessibility};
