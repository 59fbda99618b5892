// A tiny static server for fixture pages on localhost, plus per-test routes (headers such as CSP).
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

const ROOT = process.env.MEDIAGATE_ROOT ?? process.cwd();
const FIXTURES = path.join(ROOT, 'test/fixtures');
const DEMO = path.join(ROOT, 'demo');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wav': 'audio/wav',
  '.y4m': 'video/x-raw',
};

export interface Route {
  body: string | Buffer;
  type?: string;
  headers?: Record<string, string>;
}

export interface FixtureServer {
  /** http://localhost:<port> */
  origin: string;
  /** Same server under another name (127.0.0.1): a second origin for cross-origin tests. */
  otherOrigin: string;
  url(p: string): string;
  route(p: string, r: Route): void;
  close(): Promise<void>;
}

export async function startServer(root = FIXTURES): Promise<FixtureServer> {
  const routes = new Map<string, Route>();
  const server = http.createServer(async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const r = routes.get(pathname);
    if (r) {
      res.writeHead(200, { 'content-type': r.type ?? 'text/html; charset=utf-8', ...r.headers });
      res.end(r.body);
      return;
    }
    const [base, rel] = pathname.startsWith('/demo/') ? [DEMO, pathname.slice(5)] : [root, pathname];
    const file = path.join(base, path.normalize(rel.endsWith('/') ? `${rel}index.html` : rel));
    if (!file.startsWith(base)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://localhost:${port}`;
  return {
    origin,
    otherOrigin: `http://127.0.0.1:${port}`,
    url: (p) => new URL(p, origin).href,
    route: (p, r) => {
      routes.set(p, r);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
