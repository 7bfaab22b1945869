/// <reference lib="dom" />
// The page.evaluate callbacks run in the browser: they need the DOM types.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { signToken } from '@trial/auth';
import { topicNames } from '@trial/contracts';
import { projectRoot, RunningServices, startServices } from '../../apps/cli/src/supervisor';
import { publishAll } from '../../apps/cli/src/demo/publish';
import { eventually, KAFKA_BROKERS, privateTopics, TEST_DATABASE_URL, testKafka, uniqueId } from '../support';
import { armLeaks, launchChromium } from './support/browser';
import { ALL_DEATHS, ARMS, enrollments, FIRST_DEATHS, firstNotifications, secondNotifications } from './support/dashboard-trial';

/**
 * The dashboard's interim panel in a real browser against the compiled services: a DSMB member
 * takes a look (with confirmation), more deaths arrive, and the look reopened from the picker is as it was; a
 * monitor's page asks for none of it and shows none.
 */
const SECRET = 'test-secret-test-secret-test-secret-0123';
const OUT = join(projectRoot(), 'test-output');

describe('interim looks on the dashboard (browser)', () => {
  const kafka = testKafka();
  const ports = { api: 4340, ingest: 4341, linkage: 4342, projector: 4343 };
  const base = `http://127.0.0.1:${ports.api}`;
  const dsmb = signToken(SECRET, { sub: 'dsmb-chair', role: 'dsmb', ttlSeconds: 600 });
  const monitor = signToken(SECRET, { sub: 'trial-monitor', role: 'monitor', ttlSeconds: 600 });
  const trialId = uniqueId('LOOKS');
  let services: RunningServices;
  let drop: () => Promise<void>;
  let prefix: string;
  let browser: Browser;

  const api = async <T>(path: string, token: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const deathsShown = (page: Page) => page.locator('[data-testid=deaths]').textContent();
  const frozenTable = (page: Page) => page.locator('[data-testid=frozen-look-table]').innerText();

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    ({ prefix, drop } = await privateTopics(kafka, 'looks-e2e'));
    services = await startServices(
      {
        KAFKA_BROKERS,
        DATABASE_URL: TEST_DATABASE_URL,
        TOPIC_PREFIX: prefix,
        LOG_LEVEL: 'info',
        NODE_ENV: 'test',
        AUTH_SECRET: SECRET,
      },
      ports,
      join(OUT, 'e2e-logs', 'interim-looks'),
    );
    browser = await launchChromium();
    await publishAll(kafka, topicNames(prefix), enrollments(trialId), firstNotifications(trialId));
    await eventually(
      async () => ((await api<{ events: number }>(`/trials/${trialId}/survival`, dsmb)).events === FIRST_DEATHS ? true : undefined),
      `${FIRST_DEATHS} deaths in the read-out`,
      60_000,
    );
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await services?.stop();
    await drop?.();
  });

  it('dsmb: takes a look with confirmation, and the look reopened after more deaths is as it was', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 1400 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await page.goto(`${base}/?trial=${encodeURIComponent(trialId)}#token=${dsmb}`);
    await page.waitForSelector('body[data-state=ready]');
    expect(await page.locator('#interim .note').first().textContent()).toContain('Negative z favours IABP');
    expect(await page.locator('figure[data-testid=interim]').getAttribute('data-looks-taken')).toBe('0');

    await page.click('[data-testid=take-look]');
    await page.waitForFunction(() => /Look 1 recorded/.test(document.querySelector('[data-testid=look-status]')?.textContent ?? ''), undefined, {
      timeout: 15_000,
    });
    expect(dialogs).toEqual([expect.stringContaining('Record look 1')]);
    // Projected, the look is an event like any other: the page redraws with it in the picker.
    await page.waitForSelector('[data-testid=look-picker] option[value="1"]', { state: 'attached', timeout: 30_000 });
    await page.selectOption('[data-testid=look-picker]', '1');
    await page.waitForSelector('[data-testid=frozen-look-table]');
    const before = await frozenTable(page);
    // The closed figures frozen with the look, the endpoint by its name.
    const closedBefore = await page.locator('[data-testid=frozen-closed]').innerText();
    expect(closedBefore).toMatch(/Stratified by region[\s\S]*Cardiovascular death[\s\S]*Fine-Gray/);
    const look = await api<{ report: { looks: Array<{ z?: number; events: number }> } }>(`/trials/${trialId}/looks/1`, dsmb);
    expect(look.report.looks[0].events).toBe(FIRST_DEATHS);
    expect(before).toContain(look.report.looks[0].z!.toFixed(3));

    await publishAll(kafka, topicNames(prefix), [], secondNotifications(trialId));
    await page.waitForFunction((n) => document.querySelector('[data-testid=deaths]')?.textContent === String(n), ALL_DEATHS, { timeout: 60_000 });
    // The picked look stays open across the live redraw, figure for figure.
    await page.waitForSelector('[data-testid=frozen-look-table]');
    expect(await frozenTable(page)).toBe(before);
    expect(await page.locator('[data-testid=frozen-closed]').innerText()).toBe(closedBefore);
    expect(await api(`/trials/${trialId}/looks/1`, dsmb)).toEqual(look);
    // The current position is the prospective look 2, the path starts at look 1.
    expect(await page.locator('[data-testid=interim-table]').innerText()).toContain('2 (now)');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(OUT, 'dashboard-interim-looks.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('monitor: no look, no z and nothing by arm, in the DOM or in any response', async () => {
    for (const path of ['looks', 'looks/1', 'interim']) {
      expect((await fetch(`${base}/trials/${trialId}/${path}`, { headers: { authorization: `Bearer ${monitor}` } })).status).toBe(403);
    }
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const requested: string[] = [];
    const bodies: Array<{ url: string; body: string }> = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    page.on('response', async (r) => {
      if (r.url().includes('/stream')) return;
      bodies.push({ url: r.url(), body: await r.text().catch(() => '') });
    });
    await page.goto(`${base}/?trial=${encodeURIComponent(trialId)}#token=${monitor}`);
    await page.waitForSelector('body[data-state=ready]');
    expect(await deathsShown(page)).toBe(String(ALL_DEATHS));
    expect(requested.filter((p) => /\/(interim|looks)(\/|$)/.test(p))).toEqual([]);
    expect(await page.locator('[data-testid=take-look], [data-testid=look-picker], figure[data-testid=interim]').count()).toBe(0);
    const text = await page.evaluate(() => document.body.textContent ?? '');
    expect(text).not.toMatch(/look 1|log-rank z|Take look/i);
    const json = bodies.filter((b) => b.body.startsWith('{') || b.body.startsWith('['));
    const leaks = json.flatMap((b) => armLeaks(JSON.parse(b.body) as unknown, ARMS).map((l) => `${b.url}: ${l}`));
    expect(leaks).toEqual([]);
    expect(json.filter((b) => /"(logRankZ|InterimLookTaken|efficacyZ)"/.test(b.body)).map((b) => b.url)).toEqual([]);
    await context.close();
  });
});
