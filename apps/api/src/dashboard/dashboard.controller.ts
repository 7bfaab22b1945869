import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { join } from 'node:path';
import { projectRoot } from '@trial/config';
import { Public } from '@trial/auth';

/**
 * The dashboard's static page and assets. They carry no data, so they are public; every
 * figure the page shows comes from the guarded API with the user's own token. tsc does not
 * copy non-TS files into dist/, so the folders are resolved from the repository root.
 */
const PUBLIC_DIR = join(projectRoot(), 'apps', 'api', 'public');
const UPLOT_DIR = join(projectRoot(), 'node_modules', 'uplot', 'dist');

/**
 * The only vendor files served, by the name the page asks for. A Map: looked up in a plain
 * object, `constructor` or `__proto__` found Object's own and sendFile threw (a 500).
 */
const VENDOR: ReadonlyMap<string, string> = new Map([
  ['uplot.js', 'uPlot.iife.min.js'],
  ['uplot.css', 'uPlot.min.css'],
]);

/** Our own asset names: a flat folder, no dots or slashes beyond the extension (no traversal). */
const ASSET = /^[a-z][a-z0-9-]*\.(js|css)$/;

// The page receives a token in its URL once (then drops it): never send it on as a referrer.
// Scripts and connections are same-origin only; uPlot sets inline styles on its elements.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

@ApiExcludeController()
@Public()
@Controller()
export class DashboardController {
  @Get()
  @Header('Content-Security-Policy', CSP)
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-cache')
  page(@Res() res: Response): void {
    res.sendFile('index.html', { root: PUBLIC_DIR });
  }

  @Get('dashboard/vendor/:file')
  @Header('Cache-Control', 'public, max-age=86400')
  vendor(@Param('file') file: string, @Res() res: Response): void {
    const name = VENDOR.get(file);
    if (!name) throw new NotFoundException();
    res.sendFile(name, { root: UPLOT_DIR });
  }

  @Get('dashboard/:file')
  @Header('Cache-Control', 'no-cache')
  asset(@Param('file') file: string, @Res() res: Response): void {
    if (!ASSET.test(file)) throw new NotFoundException();
    res.sendFile(file, { root: PUBLIC_DIR }, (err) => {
      if (err && !res.headersSent) res.status(404).json({ statusCode: 404, message: 'Not Found' });
    });
  }
}
