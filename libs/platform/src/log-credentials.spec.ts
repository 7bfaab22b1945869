import pinoHttp from 'pino-http';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { percentDecoded, safeRequest, scrubLine } from './log-credentials';
import { createLogger, httpLogging } from './logging';

/**
 * A credential percent-encoded in the URL got past every pattern: `?access%5Ftoken=` with a
 * JWT whose dots were `%2E` was logged whole at debug, and so was `?ticke%74=`. The service's
 * own logger and pinoHttp options, on requests built in memory.
 */
describe('percent-encoded credentials in a logged URL', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkc21iIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
  const encodedJwt = jwt.replace(/\./g, '%2E');
  const ticket = 'TICKETSECRETTICKETSECRET';

  function logged(url: string, level = 'debug'): string[] {
    const lines: string[] = [];
    const logger = createLogger('test', level, { write: (l: string) => lines.push(l) });
    const middleware = pinoHttp(httpLogging(logger, level));
    const req = new IncomingMessage(new Socket());
    req.method = 'GET';
    req.url = url;
    req.headers = {};
    const res = new ServerResponse(req);
    middleware(req, res);
    req.log.error({ err: new Error(`upstream GET ${url} failed`) }, `while serving ${url}`);
    res.statusCode = 500;
    res.emit('finish');
    return lines;
  }

  it.each([
    [`/trials?access%5Ftoken=${encodedJwt}`, encodedJwt],
    [`/trials?access%5Ftoken=${jwt}`, jwt],
    [`/trials?%61ccess_token=${encodedJwt}`, encodedJwt],
    [`/trials?ACCESS%255FTOKEN=${encodedJwt}`, encodedJwt], // encoded twice
    [`/trials/T1/stream?ticke%74=${ticket}`, ticket],
    [`/trials/T1/stream?tau=1&ticke%74=${ticket}`, ticket],
    [`/trials?x=1&a%5Btoken%5D=${ticket}`, ticket],
    [`/trials?note=Bearer%20${ticket}`, ticket],
    [`/trials?x=${encodedJwt}`, encodedJwt],
  ])('%s', (url, secret) => {
    const lines = logged(url);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      expect(line).not.toContain(secret);
      expect(percentDecoded(line)).not.toContain(percentDecoded(secret));
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
    // The request's own record: the path, and the whole query string replaced.
    const first = JSON.parse(lines[0]) as { req: { url: string } };
    expect(first.req.url).toBe(`${url.slice(0, url.indexOf('?'))}?[credential]`);
  });

  it('keeps a query without a credential, encoded or not, as it was', () => {
    expect(safeRequest({ url: '/trials/T1/survival?tau=365&at=30%2C60', query: { tau: '365', at: '30,60' } })).toEqual({
      url: '/trials/T1/survival?tau=365&at=30%2C60',
      query: { tau: '365', at: '30,60' },
    });
    expect(scrubLine('{"msg":"GET /trials?at=30%2C60 caf%C3%A9"}')).toBe('{"msg":"GET /trials?at=30%2C60 caf%C3%A9"}');
  });

  it('replaces the parsed query too when it holds a credential', () => {
    expect(safeRequest({ url: '/x?access_token=abc', query: { access_token: 'abc' } })).toEqual({ url: '/x?[credential]', query: '[credential]' });
    expect(safeRequest({ url: '/x', query: { a: { Token: 'abc' } } })).toEqual({ url: '/x', query: '[credential]' });
  });

  it('drops an authorisation response (code with state) from a logged request, and keeps a plain ?code= filter', () => {
    expect(
      safeRequest({ url: '/?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj', query: { code: 'SplxlOBeZQQYbYS6WxSbIA', state: 'af0ifjsldkj' } }),
    ).toEqual({ url: '/?[credential]', query: '[credential]' });
    expect(safeRequest({ url: '/dead-letters?code=unknown-patient', query: { code: 'unknown-patient' } })).toEqual({
      url: '/dead-letters?code=unknown-patient',
      query: { code: 'unknown-patient' },
    });
  });

  it('decodes only what keeps a JSON line JSON', () => {
    expect(percentDecoded('a%5Fb%2Ec %22q%22 %5C %0A %25%32%45')).toBe('a_b.c %22q%22 %5C %0A .');
  });
});
