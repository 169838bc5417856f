// A tiny static file server for browser tests: serves one folder on
// 127.0.0.1 at a free port, with the headers `carelog serve --http` sends
// (Content-Security-Policy and friends), so pages are checked under the
// policy they will really have. GET only; nothing outside the folder.
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');

// carelog's pages' policy (issue 16): no inline script or style, nothing
// from another origin.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
            "frame-ancestors 'none'; form-action 'self'";

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

// Starts serving `root` under the policy `csp` (default carelog's pages').
// Resolves to {origin, close()}; `origin` is like http://127.0.0.1:40123.
// Requests are recorded in `requests` (URL paths), so a test can check what
// a page asked for.
function serveDirectory(root, csp = CSP) {
  const base = path.resolve(root);
  const requests = [];
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    requests.push(urlPath);
    let file = path.resolve(base, '.' + urlPath);
    if (urlPath.endsWith('/')) file = path.join(file, 'index.html');
    const headers = {
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    };
    if (req.method !== 'GET' || !file.startsWith(base + path.sep) || !fs.existsSync(file) ||
        !fs.statSync(file).isFile()) {
      res.writeHead(404, {...headers, 'Content-Type': 'text/plain; charset=utf-8'});
      res.end('not found');
      return;
    }
    res.writeHead(200, {...headers, 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream'});
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      resolve({
        origin: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

module.exports = {CSP, serveDirectory};
