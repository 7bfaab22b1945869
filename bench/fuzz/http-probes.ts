// The HTTP side of the fuzz (the suite that keeps the HTTP hardening true): the hostile requests,
// pure, and the checks on what came back and what was logged, pure too (http-probes.spec.ts).
import jwt from 'jsonwebtoken';

export type Service = 'api' | 'ingest';

/** `4xx`: must be refused; `no-5xx`: may be answered (a list, a read-out) but never a server error. */
export type Expect = '4xx' | 'no-5xx';

export interface Probe {
  what: string;
  service: Service;
  method: 'GET' | 'POST';
  /** The path as sent, already encoded (hostile encodings included). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  expect: Expect;
  /** A 2xx to it is a monitor's view: checked for by-arm figures. */
  monitor?: boolean;
}

export interface ProbeContext {
  secret: string;
  /** A registered trial, a review that exists, and the arm labels of every trial. */
  trialId: string;
  reviewId: string;
  now: () => number;
}

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

/** Tokens, valid and hostile, by name: every one of them is grepped for in the logs. */
export function tokens(secret: string, nowMs: number): Record<string, string> {
  const now = Math.floor(nowMs / 1000);
  const sign = (payload: Record<string, unknown>, key = secret) =>
    jwt.sign({ iss: 'trial-followup', sub: 'fuzz-http', ...payload }, key, { algorithm: 'HS256' });
  return {
    dsmb: sign({ role: 'dsmb', iat: now, exp: now + 3600 }),
    monitor: sign({ role: 'monitor', iat: now, exp: now + 3600 }),
    reviewer: sign({ role: 'reviewer', iat: now, exp: now + 3600 }),
    ingest: sign({ role: 'ingest', iat: now, exp: now + 3600 }),
    registryAdmin: sign({ role: 'registry-admin', iat: now, exp: now + 3600 }),
    expired: sign({ role: 'dsmb', iat: now - 7200, exp: now - 60 }),
    forged: sign({ role: 'dsmb', iat: now, exp: now + 3600 }, 'not-the-secret-not-the-secret-not-the-secret'),
    algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: 'trial-followup', sub: 'fuzz-http', role: 'dsmb', iat: now, exp: now + 3600 })}.`,
    centuries: sign({ role: 'dsmb', iat: now, exp: now + 300 * 365 * 86400 }),
    futureIat: sign({ role: 'dsmb', iat: now + 3600, exp: now + 7200 }),
    noExpiry: sign({ role: 'dsmb', iat: now }),
    wrongIssuer: jwt.sign({ iss: 'someone-else', sub: 'fuzz-http', role: 'dsmb', iat: now, exp: now + 3600 }, secret, { algorithm: 'HS256' }),
    unknownRole: sign({ role: 'admin', iat: now, exp: now + 3600 }),
    tampered: (() => {
      const [h, , s] = sign({ role: 'monitor', iat: now, exp: now + 3600 }).split('.');
      return `${h}.${b64({ iss: 'trial-followup', sub: 'fuzz-http', role: 'dsmb', iat: now, exp: now + 3600 })}.${s}`;
    })(),
  };
}

/** Every route of the api and ingest services, with the role it is for. */
function routes(trialId: string, reviewId: string): Array<{ service: Service; method: 'GET' | 'POST'; path: string; role: string; body?: string }> {
  const t = encodeURIComponent(trialId);
  const r = encodeURIComponent(reviewId);
  return [
    { service: 'api', method: 'GET', path: '/trials', role: 'monitor' },
    { service: 'api', method: 'GET', path: `/trials/${t}`, role: 'monitor' },
    { service: 'api', method: 'GET', path: `/trials/${t}/survival`, role: 'monitor' },
    { service: 'api', method: 'GET', path: `/trials/${t}/interim`, role: 'dsmb' },
    { service: 'api', method: 'GET', path: `/trials/${t}/adtte.csv`, role: 'dsmb' },
    { service: 'api', method: 'GET', path: `/trials/${t}/summary`, role: 'dsmb' },
    { service: 'api', method: 'GET', path: `/trials/${t}/stream`, role: 'monitor' },
    { service: 'api', method: 'GET', path: '/audit', role: 'dsmb' },
    { service: 'api', method: 'GET', path: '/reviews', role: 'reviewer' },
    { service: 'api', method: 'GET', path: `/reviews/${r}`, role: 'reviewer' },
    { service: 'api', method: 'POST', path: `/reviews/${r}/decision`, role: 'reviewer', body: '{}' },
    { service: 'api', method: 'POST', path: '/stream-tickets', role: 'monitor', body: '{}' },
    { service: 'ingest', method: 'POST', path: '/registry/extracts', role: 'ingest', body: '' },
    { service: 'ingest', method: 'POST', path: '/registry/completeness-corrections', role: 'registry-admin', body: '{}' },
  ];
}

const HOSTILE_IDS = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  '%00',
  'a%00b',
  '%ED%A0%80',
  '%C0%AF',
  '%FF',
  '..%2F..%2Fetc%2Fpasswd',
  `${'x'.repeat(5000)}`,
  "'%20OR%201%3D1%20--",
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '%E2%80%AEevil',
  'e%CC%81%CC%81%CC%81',
  '%F0%9F%98%80',
  '%09',
  '%0D%0ASet-Cookie:%20x%3D1',
  '=cmd%7C%27%20%2FC%20calc%27!A0',
  '%7B%7D',
  '%5B%5D',
  'null',
  'undefined',
  '-1',
  '1e309',
];

const HOSTILE_QUERIES = [
  'asOf=garbage',
  'asOf=2999-01-01T00:00:00Z',
  'asOf=%00',
  'dataCutoff=2023-02-30',
  'dataCutoff=99999-01-01',
  'at=-1,abc',
  'at=1e309',
  `at=${Array.from({ length: 5000 }, (_, i) => i).join(',')}`,
  'tau=-5',
  'tau=NaN',
  'confType=evil',
  'ties=x',
  'asOf=a&asOf=b',
  '__proto__[x]=1',
  'constructor[prototype][x]=1',
  'ties[]=efron',
  'confType=%ED%A0%80',
  'access_token=',
  'ticket=forged',
];

/**
 * The hostile requests: every route with no token, hostile tokens, the wrong role, a token in
 * the URL instead of the header (outside the SSE ticket); the read routes with hostile ids and
 * parameters; the review and upload routes with hostile bodies; the public dashboard and its
 * vendor files with hostile names.
 */
export function hostileProbes(ctx: ProbeContext): Probe[] {
  const tk = tokens(ctx.secret, ctx.now());
  const out: Probe[] = [];
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const json = { 'content-type': 'application/json' };
  for (const r of routes(ctx.trialId, ctx.reviewId)) {
    const base = { service: r.service, method: r.method, path: r.path, body: r.body, expect: '4xx' as const };
    const withBody = r.body !== undefined && r.body !== '' ? json : {};
    out.push({ ...base, what: `${r.method} ${r.path} without a token`, headers: { ...withBody } });
    for (const name of ['expired', 'forged', 'algNone', 'centuries', 'futureIat', 'noExpiry', 'wrongIssuer', 'unknownRole', 'tampered']) {
      out.push({ ...base, what: `${r.method} ${r.path} with a ${name} token`, headers: { ...withBody, ...bearer(tk[name]) } });
    }
    for (const h of [
      'Bearer',
      'Bearer ',
      'Bearer a.b.c',
      `Bearer ${'A'.repeat(9000)}`,
      `Basic ${Buffer.from('dsmb:dsmb').toString('base64')}`,
      `bearer  ${tk.dsmb}x`,
      `${tk.dsmb}`,
    ]) {
      out.push({ ...base, what: `${r.method} ${r.path} with authorization "${h.slice(0, 20)}…"`, headers: { ...withBody, authorization: h } });
    }
    const wrong = r.role === 'dsmb' ? 'monitor' : r.role === 'ingest' ? 'reviewer' : 'ingest';
    out.push({ ...base, what: `${r.method} ${r.path} with the wrong role (${wrong})`, headers: { ...withBody, ...bearer(tk[wrong]) } });
    // A credential in the URL: refused everywhere, the stream included (it takes a one-use ticket only).
    const sep = r.path.includes('?') ? '&' : '?';
    for (const param of ['access_token', 'token', 'jwt', 'authorization']) {
      out.push({
        ...base,
        path: `${r.path}${sep}${param}=${encodeURIComponent(tk[r.role === 'registry-admin' ? 'registryAdmin' : r.role])}`,
        what: `${r.method} ${r.path} with a valid token in ?${param}=`,
        headers: { ...withBody },
      });
    }
    out.push({
      ...base,
      path: `${r.path}${sep}ticket=${encodeURIComponent(tk.dsmb)}`,
      what: `${r.method} ${r.path} with a token passed as ?ticket=`,
      headers: { ...withBody },
    });
    // Percent-encoded: the parameter's name, and the token's dots (a log pattern looking for
    // `access_token=` or a JWT's `x.y.z` shape saw neither).
    const own = tk[r.role === 'registry-admin' ? 'registryAdmin' : r.role];
    for (const param of ['access%5Ftoken', '%61ccess_token', 'ACCESS_TOKEN', 'ticke%74', 'a%5Btoken%5D']) {
      out.push({
        ...base,
        path: `${r.path}${sep}${param}=${dotsEncoded(own)}`,
        what: `${r.method} ${r.path} with a valid token, dots encoded, in ?${param}=`,
        headers: { ...withBody },
      });
    }
  }
  // Public routes too: a credential in their URL is a 401, a valid token included.
  for (const path of ['/health', '/', '/dashboard/app.css', '/dashboard/vendor/uplot.js']) {
    for (const param of ['access_token', 'token', 'access%5Ftoken', 'ticke%74']) {
      out.push({
        what: `GET ${path} with a valid token in ?${param}=`,
        service: 'api',
        method: 'GET',
        path: `${path}?${param}=${dotsEncoded(tk.dsmb)}`,
        headers: {},
        expect: '4xx',
      });
    }
  }
  // Hostile ids on the read routes, with the right role: a 404 or 400, never a 500.
  for (const id of HOSTILE_IDS) {
    for (const [suffix, role] of [
      ['', 'dsmb'],
      ['/survival', 'monitor'],
      ['/survival', 'dsmb'],
      ['/interim', 'dsmb'],
      ['/adtte.csv', 'dsmb'],
      ['/summary', 'dsmb'],
      ['/stream', 'monitor'],
    ] as const) {
      // The stream of an unknown trial answers 200 and then ends (Nest's SSE writes its headers
      // before an async handler's refusal can become a 404): no figure, but never a 500 either.
      out.push({
        what: `GET /trials/<${id.slice(0, 30)}>${suffix} as ${role}`,
        service: 'api',
        method: 'GET',
        path: `/trials/${id}${suffix}`,
        headers: bearer(tk[role]),
        expect: suffix === '/stream' ? 'no-5xx' : '4xx',
      });
    }
    out.push({
      what: `GET /reviews/<${id.slice(0, 30)}>`,
      service: 'api',
      method: 'GET',
      path: `/reviews/${id}`,
      headers: bearer(tk.reviewer),
      expect: '4xx',
    });
    out.push({
      what: `POST /reviews/<${id.slice(0, 30)}>/decision`,
      service: 'api',
      method: 'POST',
      path: `/reviews/${id}/decision`,
      headers: { ...json, ...bearer(tk.reviewer) },
      body: '{"decision":"reject"}',
      expect: '4xx',
    });
    out.push({
      what: `GET /dashboard/vendor/<${id.slice(0, 30)}>`,
      service: 'api',
      method: 'GET',
      path: `/dashboard/vendor/${id}`,
      headers: {},
      expect: '4xx',
    });
    out.push({ what: `GET /dashboard/<${id.slice(0, 30)}>`, service: 'api', method: 'GET', path: `/dashboard/${id}`, headers: {}, expect: '4xx' });
  }
  // Hostile parameters on the read-outs: answered or refused, never a server error.
  const t = encodeURIComponent(ctx.trialId);
  for (const q of HOSTILE_QUERIES) {
    for (const [path, role] of [
      [`/trials/${t}/survival`, 'monitor'],
      [`/trials/${t}/survival`, 'dsmb'],
      [`/trials/${t}/interim`, 'dsmb'],
      [`/trials/${t}/adtte.csv`, 'dsmb'],
      ['/trials', 'monitor'],
      [`/trials/${t}`, 'monitor'],
      ['/audit', 'dsmb'],
    ] as const) {
      out.push({
        what: `GET ${path}?${q.slice(0, 40)} as ${role}`,
        service: 'api',
        method: 'GET',
        path: `${path}?${q}`,
        headers: bearer(tk[role]),
        expect: 'no-5xx',
        monitor: role === 'monitor',
      });
    }
  }
  // The monitor's own reads, plain: checked for by-arm figures.
  for (const path of ['/trials', `/trials/${t}`, `/trials/${t}/survival`, `/trials/${t}/survival?at=30,365&tau=365`]) {
    out.push({ what: `GET ${path} as monitor`, service: 'api', method: 'GET', path, headers: bearer(tk.monitor), expect: 'no-5xx', monitor: true });
  }
  // Review decisions: JSON only, and a body that is no decision is a 400.
  const r = `/reviews/${encodeURIComponent(ctx.reviewId)}/decision`;
  const decisionBodies: Array<[string, Record<string, string>, string]> = [
    ['a form post', { 'content-type': 'application/x-www-form-urlencoded' }, 'decision=reject'],
    ['text/plain', { 'content-type': 'text/plain' }, '{"decision":"reject"}'],
    [
      'multipart',
      { 'content-type': 'multipart/form-data; boundary=x' },
      '--x\r\nContent-Disposition: form-data; name="decision"\r\n\r\nreject\r\n--x--\r\n',
    ],
    ['invalid JSON', json, '{"decision":'],
    ['JSON null', json, 'null'],
    ['a JSON array', json, '[1,2]'],
    ['an unknown decision', json, '{"decision":"approve-all"}'],
    ['a __proto__ body', json, '{"__proto__":{"decision":"reject"},"constructor":{"prototype":{"x":1}}}'],
    ['a NUL in a field', json, '{"decision":"reject","note":"a\\u0000b"}'],
    ['a lone surrogate', json, '{"decision":"reject","note":"\\ud800"}'],
    ['deep nesting', json, `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['a 2 MB body', json, `{"decision":"reject","note":"${'x'.repeat(2 * 1024 * 1024)}"}`],
  ];
  for (const [what, headers, body] of decisionBodies) {
    out.push({
      what: `POST ${r} with ${what}`,
      service: 'api',
      method: 'POST',
      path: r,
      headers: { ...headers, ...bearer(tk.reviewer) },
      body,
      expect: '4xx',
    });
  }
  // Completeness corrections: hostile bodies.
  for (const [what, body] of [
    ['invalid JSON', '{'],
    ['an empty object', '{}'],
    ['a future date', '{"source":"ONS","completeUpTo":"2999-01-01","reason":"x"}'],
    ['a NUL', '{"source":"ONS\\u0000","completeUpTo":"2011-01-01"}'],
    ['an unknown source', '{"source":"XYZ","completeUpTo":"2011-01-01"}'],
  ]) {
    out.push({
      what: `POST /registry/completeness-corrections with ${what}`,
      service: 'ingest',
      method: 'POST',
      path: '/registry/completeness-corrections',
      headers: { ...json, ...bearer(tk.registryAdmin) },
      body,
      expect: '4xx',
    });
  }
  // Uploads that are no extract (the bad rows inside a real extract are sent by http.ts, as files).
  const mp = (fields: Record<string, string>, file: string | null, name = 'file') => {
    const parts = Object.entries(fields).map(([k, v]) => `--b\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    if (file !== null)
      parts.push(`--b\r\nContent-Disposition: form-data; name="${name}"; filename="x.csv"\r\nContent-Type: text/csv\r\n\r\n${file}\r\n`);
    return `${parts.join('')}--b--\r\n`;
  };
  const up = { 'content-type': 'multipart/form-data; boundary=b', ...bearer(tk.ingest) };
  const uploads: Array<[string, Record<string, string>, string]> = [
    ['no file', up, mp({ source: 'ONS' }, null)],
    ['no source', up, mp({}, 'RECORD_ID\n')],
    ['an unknown source', up, mp({ source: 'XYZ' }, 'RECORD_ID\n')],
    ['a future completeUpTo', up, mp({ source: 'ONS', completeUpTo: '2999-01-01' }, 'RECORD_ID\n')],
    ['a NUL in a field', up, mp({ source: 'ONS\u0000' }, 'RECORD_ID\n')],
    ['an empty file', up, mp({ source: 'ONS' }, '')],
    ['a header of neither layout', up, mp({ source: 'ONS' }, 'a,b,c\n1,2,3\n')],
    ['binary', up, mp({ source: 'ONS' }, '\u0000\u0001\u00ff\ufffd'.repeat(1000))],
    ['a header with an unclosed quote', up, mp({ source: 'ONS' }, '"RECORD_ID,RECORD_VERSION\n1,1\n')],
    [
      'an NRS file sent as ONS',
      up,
      mp(
        { source: 'ONS' },
        'ENTRY_ID,VERSION,TYPE,CHI,DATE_OF_BIRTH,SEX,SURNAME,FORENAMES,POSTCODE,DATE_OF_DEATH,DATE_OF_REGISTRATION,UNDERLYING_CAUSE,EVENT_DATE,CANCELLED\nS1,1,D,,1950-01-01,F,,,,2011-01-01,2011-01-02,,,\n',
      ),
    ],
    ['the file under another field name', up, mp({ source: 'ONS' }, 'RECORD_ID\n', 'upload')],
    ['JSON instead of multipart', { 'content-type': 'application/json', ...bearer(tk.ingest) }, '{"source":"ONS","file":"RECORD_ID"}'],
    ['a broken multipart body', up, '--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\nRECORD_ID'],
  ];
  for (const [what, headers, body] of uploads) {
    out.push({
      what: `POST /registry/extracts with ${what}`,
      service: 'ingest',
      method: 'POST',
      path: '/registry/extracts',
      headers,
      body,
      expect: '4xx',
    });
  }
  return out;
}

export interface ProbeSeen {
  probe: Probe;
  /** 0: no answer (connection refused or reset, or no status within the timeout). */
  status: number;
  body: string;
}

/** Every answer that broke its expectation, one line each. */
export function checkAnswers(seen: readonly ProbeSeen[]): string[] {
  const failures: string[] = [];
  for (const s of seen) {
    const ok = s.status >= 400 && s.status < 500 ? true : s.probe.expect === 'no-5xx' && s.status >= 200 && s.status < 400;
    if (!ok)
      failures.push(
        `http: ${s.probe.what}: answered ${s.status === 0 ? 'nothing' : s.status} (expected ${s.probe.expect === '4xx' ? 'a 4xx' : 'no 5xx'})${s.status >= 500 ? `: ${s.body.slice(0, 200)}` : ''}`,
      );
  }
  return failures;
}

/**
 * By-arm figures in a monitor's answer: the monitor sees the pooled group `all` only, so any
 * `group` or `arm` other than `all`, any list of more than one group, or a key that is an arm
 * label, is one. `armLabels`: every arm of every trial (not `all`).
 */
export function byArmFigures(body: unknown, armLabels: readonly string[]): string[] {
  const found: string[] = [];
  const arms = new Set(armLabels.filter((a) => a !== 'all'));
  const todo: Array<{ v: unknown; at: string }> = [{ v: body, at: '$' }];
  while (todo.length) {
    const { v, at } = todo.pop()!;
    if (Array.isArray(v)) {
      if (at.endsWith('.groups') && v.length > 1) found.push(`${at} has ${v.length} groups`);
      v.forEach((x, i) => todo.push({ v: x, at: `${at}[${i}]` }));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (arms.has(k)) found.push(`${at} has the key ${JSON.stringify(k)}, an arm`);
        if ((k === 'group' || k === 'arm') && x !== 'all') found.push(`${at}.${k} is ${JSON.stringify(x)}`);
        todo.push({ v: x, at: `${at}.${k}` });
      }
    }
  }
  return found;
}

/**
 * Log lines (or reasons) holding a credential or a personal identifier: any JWT-shaped
 * string, any of the tokens sent, any identifier of the input (case-insensitive).
 */
export function leaks(lines: readonly string[], secrets: readonly string[], identifiers: readonly string[]): string[] {
  const found: string[] = [];
  const jwtShape = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
  const ids = [...new Set(identifiers.filter((i) => i.length >= 4).map((i) => i.toUpperCase()))];
  const tokens = secrets.filter((t) => t.length >= 16);
  for (const line of lines) {
    const upper = line.toUpperCase();
    // As written and percent-decoded: a token with its dots as %2E is still the token.
    const credential = (l: string) => jwtShape.test(l) || tokens.some((t) => l.includes(t));
    if (credential(line) || credential(percentDecoded(line))) found.push(`a credential: ${redact(line)}`);
    const id = ids.find((i) => upper.includes(i));
    if (id !== undefined) found.push(`an identifier (${id.length} characters): ${redact(line)}`);
  }
  return found;
}

/** A token as a URL can spell it: every dot percent-encoded. */
export const dotsEncoded = (t: string): string => t.replace(/\./g, '%2E');

/** Every %XX decoded to its byte's character, twice over (an escape can be escaped); a line is only grepped. */
function percentDecoded(line: string): string {
  let out = line;
  for (let i = 0; i < 2; i++) out = out.replace(/%([0-9A-Fa-f]{2})/g, (_e, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return out;
}

/** A line for the report, without what it leaked: its length and its first characters up to the first digit or letter run. */
const redact = (line: string): string => `${line.length} characters, starting ${JSON.stringify(line.slice(0, 60).replace(/[A-Za-z0-9]{4,}/g, '…'))}`;
