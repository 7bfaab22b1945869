import { mediaType, urlProblem } from './http-surface';

describe('urlProblem', () => {
  it.each(['/trials/BCIS-1/survival?at=30,60&asOf=2026-01-01T00:00:00Z', '/trials/%D8%B9%D8%A8%D8%AF', '/audit?trialId=a+b', '/trials/%F0%9F%98%80'])(
    'lets %s through',
    (url) => expect(urlProblem(url)).toBeNull(),
  );
  it.each([
    ['/trials/%00', 'the URL must not contain control characters'],
    ['/trials/a%1Bb', 'the URL must not contain control characters'],
    ['/trials/a%C2%85b', 'the URL must not contain control characters'],
    ['/trials/%ED%A0%80', 'the URL is not valid percent-encoded UTF-8'],
    ['/trials/%zz', 'the URL is not valid percent-encoded UTF-8'],
  ])('refuses %s', (url, reason) => expect(urlProblem(url)).toBe(reason));
});

describe('mediaType', () => {
  it.each([
    ['application/json', 'application/json'],
    ['Application/JSON; charset=utf-8', 'application/json'],
    ['text/plain;charset=UTF-8', 'text/plain'],
    ['', ''],
  ])('%j is %j', (header, type) => expect(mediaType(header)).toBe(type));
});
