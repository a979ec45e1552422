// www.upwork.com on loopback for Firefox: the fixtures of ../e2e/harness.mjs at their real
// URLs over HTTPS (a throwaway certificate) with the strict CSP, behind a proxy that tunnels
// only that host, so nothing else is reachable and nothing touches the internet.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer as createHttps } from 'node:https';
import { createServer as createHttp } from 'node:http';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { UPWORK_CSP, paths, scratchDir, upworkPages } from '../e2e/harness.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/**
 * www.upwork.com on loopback: an HTTPS server (self-signed certificate made now with openssl)
 * answering `upworkPages` and /fixtures/<file> with the strict CSP, behind an HTTP proxy
 * that tunnels only www.upwork.com:443. Returns { proxyPort, refused: [host], close() }.
 */
export async function startUpwork(pages = upworkPages) {
  const dir = await scratchDir('tls-');
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '2', '-subj', '/CN=www.upwork.com', '-addext', 'subjectAltName=DNS:www.upwork.com', '-keyout', key, '-out', cert]);
  const trim = (p) => p.replace(/\/+$/, '');
  const table = new Map(Object.entries(pages).map(([path, file]) => [trim(path), file]));
  const site = createHttps({ key: await readFile(key), cert: await readFile(cert) }, async (req, res) => {
    const { pathname } = new URL(req.url, 'https://www.upwork.com');
    let file = table.get(trim(pathname));
    if (!file && pathname.startsWith('/fixtures/') && !pathname.includes('..')) file = pathname.slice('/fixtures/'.length);
    const body = file ? await readFile(join(paths.fixtures, file)).catch(() => null) : null;
    const headers = { 'Content-Security-Policy': UPWORK_CSP, 'Content-Type': body ? TYPES[extname(file)] ?? 'application/octet-stream' : 'text/plain' };
    res.writeHead(body ? 200 : 404, headers).end(body ?? 'Not found');
  });
  const refused = [];
  const proxy = createHttp((req, res) => {
    refused.push(req.headers.host);
    res.writeHead(403).end();
  });
  proxy.on('connect', (req, socket, head) => {
    if (req.url !== 'www.upwork.com:443') {
      refused.push(req.url);
      return socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head);
    site.emit('connection', socket);
  });
  await new Promise((done) => proxy.listen(0, '127.0.0.1', done));
  return {
    proxyPort: proxy.address().port,
    refused,
    close: () => new Promise((done) => { proxy.closeAllConnections(); site.closeAllConnections(); proxy.close(() => site.close(done)); }),
  };
}
