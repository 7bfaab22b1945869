import pino from 'pino';
import { Writable } from 'node:stream';
import { redactPaths } from './logging';

/** What pino-http logs for a request that failed: the bearer token must not be in it. */
describe('log redaction', () => {
  it('censors the authorization header and an access_token query of a logged request', () => {
    const lines: string[] = [];
    const out = new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } });
    const logger = pino({ redact: { paths: redactPaths(), censor: '[personal]' } }, out);
    logger.error({ req: { method: 'POST', headers: { authorization: 'Bearer eyJsecret', cookie: 'a=b' }, query: { access_token: 'eyJother' } } }, 'failed');
    expect(lines.join('')).not.toMatch(/eyJ|a=b/);
    expect(JSON.parse(lines[0]).req.headers.authorization).toBe('[personal]');
  });
});
