import pino from 'pino';
import pinoHttp from 'pino-http';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { scrubCredentials } from './log-credentials';
import { createLogger, httpLogging, redactPaths } from './logging';

/** What pino-http logs for a request that failed: the bearer token must not be in it. */
describe('log redaction', () => {
  it('censors the authorization header and an access_token query of a logged request', () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk, _e, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ redact: { paths: redactPaths(), censor: '[personal]' } }, out);
    logger.error(
      { req: { method: 'POST', headers: { authorization: 'Bearer eyJsecret', cookie: 'a=b' }, query: { access_token: 'eyJother' } } },
      'failed',
    );
    expect(lines.join('')).not.toMatch(/eyJ|a=b/);
    expect(JSON.parse(lines[0]).req.headers.authorization).toBe('[personal]');
  });
});

/**
 * The request pino-http binds to every line logged while it is handled (at
 * debug its own line, at info a 500's error) carried the URL with `?access_token=` and
 * `?token=`; a header spelt `Authorization`, or a token inside a message, was not censored.
 * The service's own logger and pinoHttp options, on a request built in memory (no socket opened).
 */
describe('no credential in any log line', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkc21iIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
  const ticket = 'tk_Q2hvb3NlIGEgbG9uZyByYW5kb20gdGlja2V0';
  const secrets = [jwt, ticket, 'COOKIEVALUE', 'OTHERJWT'];

  function run(level: string, status: number): string[] {
    const lines: string[] = [];
    const logger = createLogger('test', level, { write: (l: string) => lines.push(l) });
    const middleware = pinoHttp(httpLogging(logger, level));
    const req = new IncomingMessage(new Socket());
    req.method = 'GET';
    req.url = `/trials/T1/survival?tau=365&access_token=${jwt}&token=${jwt}&TICKET=${ticket}`;
    req.headers = { authorization: `Bearer ${jwt}`, cookie: 'sid=COOKIEVALUE', 'x-other': 'fine' };
    const res = new ServerResponse(req);
    middleware(req, res);
    // What a handler or Nest's exception handler logs meanwhile (nestjs-pino logs through req.log).
    req.log.error(
      { err: new Error(`upstream GET /x?ticket=${ticket} failed`), cfg: { a: { b: { c: { Authorization: `Bearer OTHERJWT` } } } } },
      `refused ${jwt}`,
    );
    req.log.debug({ headers: req.headers }, 'debug detail');
    res.statusCode = status;
    res.emit('finish');
    return lines;
  }

  it.each([
    ['debug', 200],
    ['info', 500],
    ['debug', 500],
  ])('at %s, status %d', (level, status) => {
    const lines = run(level, status);
    expect(lines.length).toBeGreaterThanOrEqual(level === 'debug' ? 3 : 1);
    const all = lines.join('');
    for (const s of secrets) expect(all).not.toContain(s);
    const first = JSON.parse(lines[0]) as { req: { url: string; headers: Record<string, string> } };
    // What was asked stays readable: the path (a query string holding a credential is replaced whole).
    expect(first.req.url).toBe('/trials/T1/survival?[credential]');
    expect(first.req.headers['x-other']).toBe('fine');
  });

  it('scrubs text', () => {
    expect(scrubCredentials(`GET /a?token=${jwt}&x=1 "Bearer abc.def" ${jwt}`)).toBe(
      'GET /a?token=[credential]&x=1 "Bearer [credential]" [credential]',
    );
  });
});
