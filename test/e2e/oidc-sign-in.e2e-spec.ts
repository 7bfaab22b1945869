/// <reference lib="dom" />
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { topicNames } from '@trial/contracts';
import { projectRoot, RunningServices, startServices } from '../../apps/cli/src/supervisor';
import { publishAll } from '../../apps/cli/src/demo/publish';
import { eventually, KAFKA_BROKERS, privateTopics, TEST_DATABASE_URL, testKafka, uniqueId } from '../support';
import { launchChromium } from './support/browser';
import { enrollments, FIRST_DEATHS, firstNotifications } from './support/dashboard-trial';
import { freePort, machineToken, RunningProvider, signInThroughProvider, startProvider } from './support/oidc';

/**
 * Sign-in through a real OpenID Connect provider (oidc-provider): each role's user logs in on
 * its pages and gets that role's view; a token from another issuer is refused; a rotated
 * signing key is accepted once the API fetches the JWKS again; an expired session is refused
 * and the dashboard asks to sign in again, unless the provider issued a refresh token, with which
 * the page renews it silently. Neither the code nor the token is left in a URL or a log.
 */
const SECRET = 'test-secret-test-secret-test-secret-0123';
const AUDIENCE = 'http://api.followup.test';
const OUT = join(projectRoot(), 'test-output');
const LOGS = join(OUT, 'e2e-logs', 'oidc');

describe('sign-in through an OpenID Connect provider (browser)', () => {
  const kafka = testKafka();
  const ports = { api: 4360, ingest: 4361, linkage: 4362, projector: 4363 };
  const base = `http://127.0.0.1:${ports.api}`;
  const trialId = uniqueId('OIDC');
  let provider: RunningProvider;
  let other: RunningProvider;
  let services: RunningServices;
  let drop: () => Promise<void>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** The refresh tokens the renewal test saw: none may reach a log. */
  const refreshTokens: string[] = [];

  const status = async (token: string, path = '/trials') => (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })).status;
  const page = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    contexts.push(context);
    return context.newPage();
  };
  const session = (p: Page) =>
    p.evaluate(() => ({
      token: sessionStorage.getItem('followup.token'),
      principal: sessionStorage.getItem('followup.principal'),
    }));

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    provider = await startProvider(await freePort(), AUDIENCE, `${base}/`);
    other = await startProvider(await freePort(), AUDIENCE, `${base}/`);
    let prefix: string;
    ({ prefix, drop } = await privateTopics(kafka, 'oidc'));
    services = await startServices(
      {
        KAFKA_BROKERS,
        DATABASE_URL: TEST_DATABASE_URL,
        TOPIC_PREFIX: prefix,
        LOG_LEVEL: 'info',
        NODE_ENV: 'test',
        AUTH_SECRET: SECRET,
        OIDC_ISSUER: provider.issuer,
        OIDC_AUDIENCE: AUDIENCE,
        OIDC_CLIENT_ID: 'followup-dashboard',
        OIDC_SCOPES: 'openid followup',
        OIDC_ROLE_CLAIM: 'groups',
        OIDC_ROLE_MAP: 'trial-dsmb=dsmb,trial-monitors=monitor,registry-feeds=ingest,linkage-reviewers=reviewer',
        OIDC_CLOCK_SKEW_SECONDS: '0',
        OIDC_JWKS_COOLDOWN_SECONDS: '0',
      },
      ports,
      LOGS,
    );
    browser = await launchChromium();
    await publishAll(kafka, topicNames(prefix), enrollments(trialId), firstNotifications(trialId));
    const dsmb = await machineToken(provider.issuer, AUDIENCE);
    await eventually(
      async () => {
        const res = await fetch(`${base}/trials/${trialId}/survival`, { headers: { authorization: `Bearer ${dsmb}` } });
        return res.ok && ((await res.json()) as { events: number }).events === FIRST_DEATHS ? true : undefined;
      },
      `${FIRST_DEATHS} deaths in the read-out`,
      60_000,
    );
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await services?.stop();
    await drop?.();
    await provider?.stop();
    await other?.stop();
  });

  it('tells the dashboard where to sign in, and nothing secret', async () => {
    const cfg = (await (await fetch(`${base}/auth/config`)).json()) as { oidc: Record<string, unknown> };
    expect(cfg.oidc).toEqual({
      issuer: provider.issuer,
      authorizationEndpoint: `${provider.issuer}/auth`,
      clientId: 'followup-dashboard',
      scopes: 'openid followup',
      resource: AUDIENCE,
    });
  });

  it('dsmb: signs in on the provider pages and sees the closed report; code and state leave the URL', async () => {
    const p = await page();
    const urls: string[] = [];
    p.on('request', (r) => urls.push(r.url()));
    await signInThroughProvider(p, base, provider.issuer, 'dsmb-chair');
    await p.waitForSelector('body[data-state=ready][data-role=dsmb]');
    expect(p.url()).not.toMatch(/code=|state=|token=/);
    expect(await p.locator('figure[data-testid=km]').getAttribute('data-curves')).toBe('2');
    // The code travelled in the fragment and in a POST body only: no request to the API carried it.
    expect(urls.filter((u) => u.startsWith(base) && /[?&](code|state)=/.test(u))).toEqual([]);
    await p.screenshot({ path: join(OUT, 'oidc-dsmb.png') });
    const { token } = await session(p);
    expect(token).toMatch(/^eyJ/);
    expect(await status(token!, `/trials/${trialId}/survival`)).toBe(200);
  });

  it('monitor: the blinded view, without the hazard ratio', async () => {
    const p = await page();
    await signInThroughProvider(p, base, provider.issuer, 'trial-monitor');
    await p.waitForSelector('body[data-state=ready][data-role=monitor]');
    // The test database holds other suites' trials too: this one's, with the tab's session.
    await p.goto(`${base}/?trial=${encodeURIComponent(trialId)}`);
    await p.waitForSelector('body[data-state=ready][data-role=monitor]');
    expect(await p.locator('[data-testid=deaths]').textContent()).toBe(String(FIRST_DEATHS));
    expect(await p.locator('[data-testid=hr]').count()).toBe(0);
    expect(await status((await session(p)).token!, `/trials/${trialId}/interim`)).toBe(403);
  });

  it('ingest and reviewer: signed in with their role, which the API enforces', async () => {
    const feed = await page();
    const fed: Array<{ accessToken: string; role: string }> = [];
    feed.on('response', (r) => {
      if (r.url() === `${base}/auth/token`) void r.json().then((b) => fed.push(b));
    });
    await signInThroughProvider(feed, base, provider.issuer, 'registry-feed');
    await feed.waitForSelector('form.signin .error');
    expect(await feed.locator('form.signin .error').textContent()).toContain('ingest role has no dashboard view');
    // The ingest service takes the same provider's token: past the guard (an empty upload is the handler's to refuse).
    await eventually(async () => (fed.length ? true : undefined), 'the code exchanged', 5_000);
    const upload = (token: string) =>
      fetch(`http://127.0.0.1:${ports.ingest}/registry/extracts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
    expect([401, 403]).not.toContain((await upload(fed[0].accessToken)).status);
    expect((await upload(await machineToken(provider.issuer, AUDIENCE))).status).toBe(403);
    const reviewer = await page();
    const exchanged: Array<{ accessToken: string; role: string; sub: string }> = [];
    reviewer.on('response', (r) => {
      if (r.url() === `${base}/auth/token`) void r.json().then((b) => exchanged.push(b));
    });
    await signInThroughProvider(reviewer, base, provider.issuer, 'linkage-reviewer');
    // The provider's groups became the reviewer role, which the API lets read the review queue and nothing else.
    // (Which screen the dashboard draws for a reviewer is the reviewer's-screen change's; here it may still refuse.)
    await eventually(async () => (exchanged.length ? true : undefined), 'the code exchanged', 5_000);
    expect(exchanged[0]).toMatchObject({ role: 'reviewer', sub: 'linkage-reviewer' });
    expect(await status(exchanged[0].accessToken, '/reviews')).toBe(200);
    expect(await status(exchanged[0].accessToken, `/trials/${trialId}/survival`)).toBe(403);
  });

  it('a user whose groups map to no role is refused at sign-in', async () => {
    const p = await page();
    await signInThroughProvider(p, base, provider.issuer, 'nobody');
    await p.waitForSelector('form.signin .error');
    expect(await p.locator('form.signin .error').textContent()).toContain('grants no followup role');
    expect((await session(p)).token).toBeNull();
  });

  it('refuses a token from another issuer, though its audience and groups are right', async () => {
    const foreign = await machineToken(other.issuer, AUDIENCE);
    expect(await status(foreign)).toBe(401);
    expect(await status(await machineToken(provider.issuer, AUDIENCE))).toBe(200);
  });

  it('accepts a token signed with a rotated key, after fetching the JWKS again', async () => {
    const before = await machineToken(provider.issuer, AUDIENCE);
    expect(await status(before)).toBe(200);
    const { kid } = (await (await fetch(`${provider.issuer}/__test/rotate`, { method: 'POST' })).json()) as { kid: string };
    const after = await machineToken(provider.issuer, AUDIENCE);
    expect(JSON.parse(Buffer.from(after.split('.')[0], 'base64url').toString()).kid).toBe(kid);
    expect(await status(after)).toBe(200);
    expect(await status(before)).toBe(200); // the old key is still published
  });

  it('an expired session is refused, and the dashboard asks to sign in again', async () => {
    const p = await page();
    await signInThroughProvider(p, base, provider.issuer, 'short-lived');
    const { token } = await session(p);
    expect(token).toMatch(/^eyJ/);
    const exp = JSON.parse(Buffer.from(token!.split('.')[1], 'base64url').toString()).exp as number;
    await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 1500));
    expect(await status(token!)).toBe(401);
    // The live page may have met the refusal first (and said so); otherwise the next load does.
    if ((await p.locator('form.signin .error').count()) === 0) await p.reload();
    await p.waitForSelector('form.signin .error');
    expect(await p.locator('form.signin .error').textContent()).toMatch(/session has expired: sign in again|did not accept/);
    expect(await p.locator('[data-testid=oidc-sign-in]').count()).toBe(1);
  });

  it("a session with a refresh token is renewed silently: the page stays signed in past its token's expiry", async () => {
    const p = await page();
    const renewals: Array<{ status: number; body: { accessToken: string; refreshToken: string | null; role: string } }> = [];
    p.on('response', (r) => {
      // A renewal answered as the page navigates has no body left to read: not counted.
      if (r.url() === `${base}/auth/refresh`)
        void r.json().then(
          (body) => renewals.push({ status: r.status(), body }),
          () => undefined,
        );
    });
    await signInThroughProvider(p, base, provider.issuer, 'renewed');
    await p.waitForSelector('body[data-state=ready][data-role=monitor]');
    const first = (await session(p)).token!;
    const exp = JSON.parse(Buffer.from(first.split('.')[1], 'base64url').toString()).exp as number;
    // Past the first token's expiry, twice over: renewed (at least) twice, each a new token the API takes.
    await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 5_000));
    expect(await status(first)).toBe(401);
    expect(renewals.length).toBeGreaterThanOrEqual(2);
    expect(renewals.every((x) => x.status === 200 && x.body.role === 'monitor')).toBe(true);
    // The provider rotates a public client's refresh token: each renewal spent the last one.
    expect(new Set(renewals.map((x) => x.body.refreshToken)).size).toBe(renewals.length);
    refreshTokens.push(...renewals.map((x) => x.body.refreshToken!));
    const { token } = await session(p);
    expect(token).not.toBe(first);
    expect(await status(token!)).toBe(200);
    // Still the monitor's page, not the sign-in form; it still reads the API (a new trial choice loads).
    expect(await p.locator('form.signin').count()).toBe(0);
    await p.goto(`${base}/?trial=${encodeURIComponent(trialId)}`);
    await p.waitForSelector('body[data-state=ready][data-role=monitor]');
    expect(await p.locator('[data-testid=deaths]').textContent()).toBe(String(FIRST_DEATHS));
    expect(p.url()).not.toMatch(/token=|refresh/);
  });

  it("leaves no access token in the services' logs", async () => {
    const logs = readdirSync(LOGS)
      .map((f) => readFileSync(join(LOGS, f), 'utf8'))
      .join('\n');
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
    expect(logs).not.toMatch(/[?&#]code=[A-Za-z0-9_-]{10,}/);
    expect(refreshTokens.length).toBeGreaterThan(0);
    for (const t of refreshTokens) expect(logs.includes(t)).toBe(false);
  });
});
