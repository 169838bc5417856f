// The web application as people use it, in Debian's real Chromium
// (tests/browser/with_server starts the server): sign in, the work tray,
// filter by an IRO, open a case, change the as-of date and see an
// obligation's status change, download a proof and check it with `carelog
// check-proof`, sign out; each role refused what it may not see; a forged
// CSRF token and a stale session refused. axe-core finds no violation on any
// page; a screenshot of each page goes to $CARELOG_SCREENSHOTS.
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const {execFileSync} = require('child_process');
const {requireBrowserPackages, launchChromium, checkAccessibility} = require('./axe_check');

requireBrowserPackages();

const base = process.env.CARELOG_URL;
const password = process.env.CARELOG_PASSWORD;
const asOf = process.env.CARELOG_AS_OF;
const shots = process.env.CARELOG_SCREENSHOTS;
const binary = process.env.CARELOG_BINARY;
const work = process.env.CARELOG_WORK;

const checked = [];

async function look(page, name) {
  await checkAccessibility(page, name);
  // The first screenful, as a person first sees the page (a whole tray of
  // a council is tens of thousands of pixels tall).
  await page.screenshot({path: path.join(shots, `${name}.png`)});
  checked.push(name);
}

async function go(page, url) {
  const res = await page.goto(new URL(url, base).href, {waitUntil: 'load'});
  return res;
}

async function submit(page, selector) {
  const [res] = await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.click(selector)]);
  return res;
}

async function text(page) {
  return page.evaluate(() => document.body.innerText);
}

async function signIn(page, role) {
  if (!page.url().includes('/login')) await go(page, '/login');
  await page.type('#name', role);
  await page.type('#password', password);
  const res = await submit(page, '#sign-in');
  assert.ok(!page.url().includes('/login'), `${role} could not sign in: ${await text(page)}`);
  return res;
}

async function signOut(page) {
  await submit(page, 'form[action="/sign-out"] button');
  assert.ok(page.url().includes('/login'), 'signing out did not lead to the sign-in page');
  assert.match(await text(page), /You have signed out/);
}

// [{rule, due, status}] of the case page's obligations table.
async function obligations(page) {
  return page.$$eval('#obligations tbody tr', (rows) => rows.map((r) => ({
    rule: r.cells[0].innerText.trim(),
    review: r.cells[1].innerText.trim(),
    due: r.querySelector('time').getAttribute('datetime'),
    status: r.cells[3].innerText.trim(),
  })));
}

async function main() {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setViewport({width: 1280, height: 900});

    // 1. No session: the tray sends to the sign-in page, which comes back after.
    await go(page, `/?asOf=${asOf}`);
    assert.ok(page.url().includes('/login?next='), `not sent to sign in: ${page.url()}`);
    await look(page, 'sign-in');
    await signIn(page, 'iro_manager');
    assert.ok(page.url().includes(`asOf=${asOf}`), `not back at the tray: ${page.url()}`);
    assert.match(await text(page), /Work tray/);
    await look(page, 'work-tray');

    // 2. Filter by an IRO: every row is that IRO's.
    const iros = await page.$$eval('#iro option', (os) => os.map((o) => o.value).filter((v) => v));
    assert.ok(iros.length > 0, 'the tray lists no IRO to filter by');
    await page.select('#iro', iros[0]);
    await submit(page, '#apply-filters');
    const rowIros = await page.$$eval('#tray tbody tr', (rows) => rows.map((r) => r.cells[4].innerText.trim()));
    assert.ok(rowIros.length > 0, `no rows for IRO ${iros[0]}`);
    for (const iro of rowIros) assert.strictEqual(iro, iros[0]);
    await look(page, 'work-tray-filtered');

    // 3. Open a case from the tray.
    const caseHref = await page.$eval('#tray tbody a[href^="/cases/"]', (a) => a.getAttribute('href'));
    await submit(page, '#tray tbody a[href^="/cases/"]');
    assert.match(await text(page), /Care-plan state/);
    await look(page, 'case');
    const casePath = caseHref.split('?')[0];

    // 4. Change the as-of date to an overdue obligation's due day: it was OPEN then.
    const now = await obligations(page);
    const overdue = now.find((o) => o.status === 'OVERDUE');
    assert.ok(overdue, `no OVERDUE obligation on ${casePath} to go back from`);
    await page.$eval('#asOf', (el, d) => { el.value = d; }, overdue.due);
    await submit(page, 'form.clg-filters button');
    const then = await obligations(page);
    const same = then.find((o) => o.rule === overdue.rule && o.review === overdue.review && o.due === overdue.due);
    assert.ok(same, `${overdue.rule} due ${overdue.due} is not listed as of its due day`);
    assert.strictEqual(same.status, 'OPEN', `${overdue.rule} as of ${overdue.due}`);
    await look(page, 'case-as-of');
    await signOut(page);
    await look(page, 'signed-out');

    // 5. An auditor downloads a proof and checks it offline; reads the access log.
    await signIn(page, 'auditor');
    await go(page, `${casePath}?asOf=${asOf}`);
    const proofHref = await page.$eval('a[href^="/proof?event="]', (a) => a.getAttribute('href'));
    const proof = await page.evaluate(async (h) => {
      const r = await fetch(h);
      return {status: r.status, type: r.headers.get('content-type'), body: await r.text()};
    }, proofHref);
    assert.strictEqual(proof.status, 200);
    assert.match(proof.type, /application\/json/);
    const proofFile = path.join(work, 'proof.json');
    fs.writeFileSync(proofFile, proof.body);
    const out = execFileSync(binary, ['check-proof', proofFile], {encoding: 'utf8'});
    assert.match(out, /verified|valid|ok/i, `check-proof said: ${out}`);
    await go(page, `/access-log?case=${encodeURIComponent(decodeURIComponent(casePath.slice(7)))}`);
    const log = await text(page);
    assert.match(log, /web:iro_manager/);
    assert.match(log, /web:auditor/);
    assert.match(log, /Prove/);
    await look(page, 'access-log');
    await go(page, '/cases');
    await look(page, 'cases');
    await go(page, '/qa?from=2026-01-01&to=2026-06-30');
    assert.match(await text(page), /Reviews held on time/);
    await look(page, 'qa');
    await go(page, '/integrity');
    await look(page, 'integrity');
    await signOut(page);

    // 6. Each role refused what it may not see.
    await signIn(page, 'qa');
    assert.ok(page.url().endsWith('/qa'), `qa's landing page is ${page.url()}`);
    let res = await go(page, casePath);
    assert.strictEqual(res.status(), 403);
    assert.match(await text(page), /You cannot open this page/);
    await look(page, 'refused');
    res = await go(page, '/');
    assert.ok(page.url().endsWith('/qa'));
    await signOut(page);
    await signIn(page, 'iro_manager');
    for (const p of ['/access-log?case=x', '/integrity', proofHref]) {
      res = await go(page, p);
      assert.strictEqual(res.status(), 403, `iro_manager opened ${p}`);
    }
    await signOut(page);

    // 7. A forged CSRF token and a stale session are refused; the real token verifies.
    await signIn(page, 'admin');
    await go(page, '/integrity');
    await page.$eval('form[action="/integrity/verify"] input[name="csrf_token"]', (el) => { el.value = 'forged'; });
    res = await submit(page, '#verify-now');
    assert.strictEqual(res.status(), 403);
    assert.match(await text(page), /This form has expired/);
    await go(page, '/integrity');
    await submit(page, '#verify-now');
    assert.match(await text(page), /by web:admin: verified \d+ events/);
    // Signed out elsewhere (as another tab would) while this page still shows the button.
    const signedOut = await page.evaluate(async () => {
      const form = document.querySelector('form[action="/sign-out"]');
      const r = await fetch('/sign-out', {method: 'POST', body: new URLSearchParams(new FormData(form)), redirect: 'manual'});
      return r.type === 'opaqueredirect' || r.status === 303;
    });
    assert.ok(signedOut, 'the session was not signed out');
    res = await submit(page, '#verify-now');
    assert.strictEqual(res.status(), 403);
    assert.match(await text(page), /Your session has ended/);
    await look(page, 'stale-session');

    // 8. Clear pages for an unknown case and a bad value.
    await signIn(page, 'auditor');
    res = await go(page, '/cases/NO-SUCH-CASE');
    assert.strictEqual(res.status(), 404);
    await look(page, 'not-found');
    res = await go(page, '/?days=0');
    assert.strictEqual(res.status(), 400);
    assert.match(await text(page), /There is a problem/);
    await look(page, 'bad-value');
  } finally {
    await browser.close();
  }
  console.log(`browser scenario passed; axe found no violation on ${checked.length} pages: ${checked.join(', ')}`);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
