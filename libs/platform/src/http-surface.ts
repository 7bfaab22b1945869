import { CanActivate, ExecutionContext, Injectable, UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { INSTANCE_HEADER } from '@trial/config';
import { textProblem } from '@trial/contracts';

/**
 * The HTTP surface every service shares: security headers on every
 * response, and no URL the handlers cannot take.
 *
 * Headers, the OWASP Secure Headers set for a JSON API:
 * - `Cache-Control: no-store`: a by-arm read-out or an audit listing must not be kept by a
 *   browser or a proxy, and no response of these services is meant to be cached (the
 *   dashboard's static assets set their own, after this);
 * - a CSP that allows nothing (`default-src 'none'; frame-ancestors 'none'`): a JSON answer is
 *   never a document, so nothing in it may run or be framed; the dashboard page and /docs set
 *   their own;
 * - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (frame-ancestors for older
 *   browsers), `Referrer-Policy: no-referrer` (the dashboard's URL once carried a token),
 *   `Cross-Origin-Opener-Policy` and `Cross-Origin-Resource-Policy: same-origin`.
 * No HSTS: the services listen on 127.0.0.1 over plain HTTP; TLS ends at whatever fronts them,
 * which is where HSTS belongs.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

/** Swagger UI (/docs) is a page: its own files, its inline styles, nothing from elsewhere. */
export const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** What is wrong with a request's URL, or null: the path and query decoded, then the text rule. */
export function urlProblem(url: string): string | null {
  let decoded: string;
  try {
    // Query strings write a space as '+'; it is no control character either way.
    decoded = decodeURIComponent(url.replace(/\+/g, ' '));
  } catch {
    // A malformed escape, or bytes that are not UTF-8 (an encoded lone surrogate is one).
    return 'the URL is not valid percent-encoded UTF-8';
  }
  const problem = textProblem(decoded);
  return problem === null ? null : `the URL ${problem}`;
}

/**
 * Express middleware: the headers above, then a 400 for a URL that breaks the text rule. A NUL
 * in an id reached Postgres, which refused it, and that was a 500; a control character is no
 * part of any id or parameter of these services.
 */
export function httpSurface(req: Request, res: Response, next: NextFunction): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  if (req.path === '/docs' || req.path.startsWith('/docs/')) res.setHeader('Content-Security-Policy', DOCS_CSP);
  const problem = urlProblem(req.originalUrl);
  if (problem !== null) {
    res.status(400).json({ statusCode: 400, code: 'invalid-url', message: problem });
    return;
  }
  next();
}

/**
 * Express middleware for `/health`: names this process in INSTANCE_HEADER. A supervisor that
 * picked the port and started the service checks it, so that another process which took the
 * port first (the service then fails to listen) is never taken for its own.
 */
export function answerAs(instance: string): (req: Request, res: Response, next: NextFunction) => void {
  return (_req, res, next) => {
    res.setHeader(INSTANCE_HEADER, instance);
    next();
  };
}

/**
 * Only `application/json` bodies (415 otherwise). A form post or a `text/plain` body is a
 * "simple" request: a browser sends it cross-site without asking first, so a state-changing
 * route that took one could be driven by another site (CSRF). JSON needs a CORS preflight,
 * which these services never grant.
 */
@Injectable()
export class JsonOnlyGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const type = ctx.switchToHttp().getRequest<Request>().headers['content-type'] ?? '';
    if (mediaType(type) !== 'application/json') {
      throw new UnsupportedMediaTypeException({ statusCode: 415, code: 'unsupported-media-type', message: 'the body must be application/json' });
    }
    return true;
  }
}

/** The media type of a Content-Type header, without parameters, lower case. */
export function mediaType(header: string): string {
  return header.split(';')[0].trim().toLowerCase();
}
