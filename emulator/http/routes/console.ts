import express, { type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlError } from '../controlErrors.js';

/**
 * Only the console's own files may run or style the page: no inline script or style, no other
 * origin, no framing. The page fetches same-origin JSON and XML only.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where the built page lives: dist/emulator/console, two folders up from this module once
 * compiled, or under dist/ when this module runs from source (tests), after `npm run build`.
 */
function assetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = resolve(here, '../../console');
  return existsSync(join(built, 'app', 'main.js')) ? built : resolve(here, '../../../dist/emulator/console');
}

/** The page at /_simpledb/console/: index.html, its stylesheet and its compiled modules. */
export function consoleRoutes(dir = assetsDir()): express.Router {
  const r = express.Router({ strict: true });
  r.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': CONSOLE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });
    next();
  });
  r.get('/', (req, res) => {
    // Without the slash, the page's relative asset URLs would resolve against /_simpledb/.
    if (!req.originalUrl.split('?')[0]?.endsWith('/')) {
      res.redirect(301, '/_simpledb/console/');
      return;
    }
    const index = join(dir, 'static', 'index.html');
    if (!existsSync(index)) {
      res.status(503).json({ error: { message: 'the console is not built: run npm run build' } });
      return;
    }
    res.sendFile(index);
  });
  r.use('/app', express.static(join(dir, 'app'), { index: false, fallthrough: true }));
  r.use(express.static(join(dir, 'static'), { index: false, fallthrough: true }));
  r.use((req: Request, res: Response) => {
    controlError(res, 404, 'NotFound', `no console file ${req.path}`);
  });
  // A file that could not be read goes on to the app's handler (answerControlFailure).
  return r;
}
