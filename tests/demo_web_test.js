// tools/demo-web, the end of `tools/quickstart demo`, as a newcomer uses it:
// it serves the web application on a store, prints the address and a demo
// user's password, and with them one can sign in and open the work tray.
//
//   node tests/demo_web_test.js BINARY
'use strict';

const assert = require('assert');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const {execFileSync, spawn} = require('child_process');

const binary = process.argv[2];
const repo = path.join(__dirname, '..');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const {port} = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function cookieOf(res) {
  const set = res.headers.get('set-cookie') || '';
  return set.split(';')[0];
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'carelog-demo-web-'));
  const store = path.join(work, 'store');
  const history = execFileSync(binary, ['gen', '--children', '5', '--years', '1', '--seed', '3', '--end', '2026-06-30']);
  fs.writeFileSync(path.join(work, 'h.ndjson'), history);
  execFileSync(binary, ['import', '--store', store, path.join(work, 'h.ndjson')]);
  const port = await freePort();
  const server = spawn(path.join(repo, 'tools', 'demo-web'), [binary, store], {
    env: {...process.env, CARELOG_DEMO_HTTP: `127.0.0.1:${port}`},
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    // The printed line names the address and the password.
    const printed = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no address printed: ${out}`)), 30000);
      server.stdout.on('data', (d) => {
        out += d;
        if (/web application of .* at http/.test(out)) {
          clearTimeout(timer);
          resolve(out);
        }
      });
      server.on('exit', (code) => reject(new Error(`tools/demo-web exited ${code}: ${out}`)));
    });
    const m = printed.match(/open (http:\/\/127\.0\.0\.1:\d+\/) and sign in as demo with password (\S+)/);
    assert.ok(m, `no address and password in: ${printed}`);
    const [, base, password] = m;
    assert.strictEqual(base, `http://127.0.0.1:${port}/`);
    assert.ok(password.length >= 12, `password too short: ${password}`);

    const form = await fetch(new URL('/login', base));
    assert.strictEqual(form.status, 200);
    const loginCookie = cookieOf(form);
    const token = (await form.text()).match(/name="csrf_token" value="([0-9a-f]{64})"/)[1];
    const signIn = await fetch(new URL('/login', base), {
      method: 'POST',
      redirect: 'manual',
      headers: {'Content-Type': 'application/x-www-form-urlencoded', 'Cookie': loginCookie},
      body: new URLSearchParams({name: 'demo', password, csrf_token: token}).toString(),
    });
    assert.strictEqual(signIn.status, 303, 'the printed password does not sign in');
    const tray = await fetch(new URL('/?asOf=2026-06-30', base), {headers: {'Cookie': cookieOf(signIn)}});
    assert.strictEqual(tray.status, 200);
    const html = await tray.text();
    assert.match(html, /Work tray/);
    assert.match(html, /Signed in as <strong[^>]*>demo<\/strong>/);
    // A wrong password does not.
    const wrong = await fetch(new URL('/login', base), {
      method: 'POST',
      redirect: 'manual',
      headers: {'Content-Type': 'application/x-www-form-urlencoded', 'Cookie': loginCookie},
      body: new URLSearchParams({name: 'demo', password: `${password}x`, csrf_token: token}).toString(),
    });
    assert.strictEqual(wrong.status, 401);
    console.log('tools/demo-web: signed in as demo with the printed password and opened the work tray');
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => (server.exitCode !== null ? resolve() : server.on('exit', resolve)));
    fs.rmSync(work, {recursive: true, force: true});
  }
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
