/// <reference lib="dom" />
// The page.evaluate callbacks run in the browser: they need the DOM types.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { signToken } from '@trial/auth';
import { topicNames } from '@trial/contracts';
import { projectRoot, RunningServices, startServices } from '../../apps/cli/src/supervisor';
import { publishAll } from '../../apps/cli/src/demo/publish';
import { eventually, KAFKA_BROKERS, privateTopics, TEST_DATABASE_URL, testKafka, uniqueId } from '../support';
import { launchChromium } from './support/browser';
import { enrollments, FIRST_DEATHS, firstNotifications } from './support/dashboard-trial';
import { reviewCases } from './support/review-cases';

/**
 * The reviewer's screen in a real browser against the compiled services: a
 * reviewer signs in, sees the queue oldest first with its reasons, opens an item, sees the
 * record beside the candidates and each candidate's waterfall, accepts with the keyboard; the
 * item leaves the queue and the DSMB read-out counts the death. Monitor and dsmb tokens get
 * none of the screen's data.
 */
const SECRET = 'test-secret-test-secret-test-secret-0123';
const OUT = join(projectRoot(), 'test-output');

interface Item {
  reviewId: string;
  reason: string;
  prior: { lambda: number; weight: number } | null;
  candidates: Array<{ patientId: string; weight: number; fields: Record<string, { level: string; weight: number }> }>;
}

describe('reviewer screen (browser)', () => {
  const kafka = testKafka();
  const ports = { api: 4350, ingest: 4351, linkage: 4352, projector: 4353 };
  const base = `http://127.0.0.1:${ports.api}`;
  const reviewer = signToken(SECRET, { sub: 'dr-clerk', role: 'reviewer', ttlSeconds: 600 });
  const dsmb = signToken(SECRET, { sub: 'dsmb-chair', role: 'dsmb', ttlSeconds: 600 });
  const monitor = signToken(SECRET, { sub: 'trial-monitor', role: 'monitor', ttlSeconds: 600 });
  const trialId = uniqueId('REVW');
  const cases = reviewCases(trialId);
  let services: RunningServices;
  let drop: () => Promise<void>;
  let prefix: string;
  let browser: Browser;

  const call = (path: string, token: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const json = async <T>(path: string, token: string): Promise<T> => {
    const res = await call(path, token);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const deaths = async () => (await json<{ events: number }>(`/trials/${trialId}/survival`, dsmb)).events;
  const openQueue = () => json<Item[]>('/reviews', reviewer);

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    ({ prefix, drop } = await privateTopics(kafka, 'revw'));
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
      join(OUT, 'e2e-logs', 'reviewer'),
    );
    browser = await launchChromium();
    const topics = topicNames(prefix);
    await publishAll(kafka, topics, [...enrollments(trialId), ...cases.enrollments], firstNotifications(trialId));
    await eventually(async () => ((await deaths()) === FIRST_DEATHS ? true : undefined), `${FIRST_DEATHS} deaths in the read-out`, 60_000);
    // One at a time, so the queue's order (oldest first) is known.
    await publishAll(kafka, topics, [], [cases.earlyDeath]);
    await eventually(async () => ((await openQueue()).length === 1 ? true : undefined), 'the early death queued', 60_000);
    await publishAll(kafka, topics, [], [cases.namesakeDeath]);
    await eventually(async () => ((await openQueue()).length === 2 ? true : undefined), 'the namesakes queued', 60_000);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await services?.stop();
    await drop?.();
  });

  it('queue, evidence and waterfall; accept with the keyboard; the item leaves and the DSMB read-out changes', async () => {
    const [early, namesakes] = await openQueue();
    expect(early.reason).toBe('death-before-randomisation');
    expect(early.candidates[0].patientId).toBe(cases.earlyPatientId);
    expect(['close-candidates', 'between-thresholds']).toContain(namesakes.reason);
    expect(namesakes.candidates.map((c) => c.patientId).sort()).toEqual([...cases.namesakeIds].sort());

    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const dsmbPage = await context.newPage();
    await dsmbPage.goto(`${base}/?trial=${encodeURIComponent(trialId)}#token=${dsmb}`);
    await dsmbPage.waitForSelector('[data-testid=live][data-state=live]');
    expect(await dsmbPage.locator('[data-testid=deaths]').textContent()).toBe(String(FIRST_DEATHS));

    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/#token=${reviewer}`);
    await page.waitForSelector('body[data-state=ready][data-queue="2"]');
    expect(page.url()).not.toContain('token=');
    const items = page.locator('[data-testid=queue-item]');
    expect(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-review')))).toEqual([early.reviewId, namesakes.reviewId]);
    expect(await items.locator('[data-testid=reason]').allTextContents()).toEqual([
      'Death before randomisation',
      namesakes.reason === 'close-candidates' ? 'Close candidates' : 'Between the thresholds',
    ]);
    expect(await page.locator('[data-testid=keys]').textContent()).toMatch(/j \/ k.*a.*accept.*r.*reject/s);
    // The oldest is open first; j moves to the namesakes.
    await page.waitForSelector(`[data-testid=review-item][data-review="${early.reviewId}"]`);
    await page.keyboard.press('j');
    await page.waitForSelector(`[data-testid=review-item][data-review="${namesakes.reviewId}"]`);

    const item = await json<Item>(`/reviews/${namesakes.reviewId}`, reviewer);
    const table = page.locator('[data-testid=side-by-side]');
    expect(await table.locator('tr[data-field]').count()).toBe(6);
    expect(await table.locator('tr[data-field=dateOfBirth]').textContent()).toContain('one-day');
    const charts = page.locator('[data-testid=candidate] [data-testid=waterfall]');
    expect(await charts.count()).toBe(2);
    for (let i = 0; i < 2; i++) {
      const c = item.candidates[i];
      const chart = charts.nth(i);
      expect(await chart.getAttribute('data-total')).toBe(c.weight.toFixed(2));
      const bars = await chart
        .locator('[data-testid=waterfall-bar]')
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-key'), e.getAttribute('data-weight')]));
      expect(bars).toEqual([
        ['prior', item.prior!.weight.toFixed(2)],
        ...['identifier', 'dateOfBirth', 'sex', 'familyName', 'givenNames', 'postcode'].map((k) => [k, c.fields[k].weight.toFixed(2)]),
        ['total', c.weight.toFixed(2)],
      ]);
    }
    await page.screenshot({ path: join(OUT, 'dashboard-reviewer.png'), fullPage: true });

    // Candidate 2, a note, accept: all from the keyboard.
    await page.keyboard.press('2');
    await page.waitForSelector('[data-testid=review-detail][data-candidate="1"]');
    await page.keyboard.press('n');
    await page.keyboard.type('same surgery as the certificate');
    await page.keyboard.press('Escape');
    await page.keyboard.press('a');
    await page.waitForSelector(`[data-testid=queue-item][data-review="${namesakes.reviewId}"][data-state=sent]`, { timeout: 5_000 });
    await page.waitForSelector(`[data-testid=decided-item][data-review="${namesakes.reviewId}"]`, { timeout: 60_000 });
    expect(await page.locator(`[data-testid=queue-item][data-review="${namesakes.reviewId}"]`).count()).toBe(0);
    expect(await page.locator('[data-testid=decided-item]').textContent()).toContain(`Linked to ${item.candidates[1].patientId}`);
    // The DSMB's page counts the clerically linked death, live.
    await dsmbPage.waitForFunction((n) => document.querySelector('[data-testid=deaths]')?.textContent === String(n), FIRST_DEATHS + 1, {
      timeout: 60_000,
    });
    expect(await deaths()).toBe(FIRST_DEATHS + 1);

    // The early death: back to it (the only one left) and reject it.
    await page.waitForSelector(`[data-testid=review-item][data-review="${early.reviewId}"]`);
    await page.keyboard.press('r');
    await page.waitForSelector('[data-testid=queue-empty]', { timeout: 60_000 });
    expect(await page.locator('[data-testid=decided-item]').count()).toBe(2);
    expect(await deaths()).toBe(FIRST_DEATHS + 1);
    // Every item opened was audited, by reviewer and item.
    const audit = await json<Array<{ view: string; sub: string; query: { reviewId?: string } }>>(`/audit?trialId=${trialId}&limit=1000`, dsmb);
    const opened = new Set(audit.filter((a) => a.view === 'review' && a.sub === 'dr-clerk').map((a) => a.query.reviewId));
    expect(opened).toEqual(new Set([early.reviewId, namesakes.reviewId]));
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('monitor and dsmb tokens get none of the reviewer screen data', async () => {
    const [anyItem] = await json<Item[]>('/reviews?status=accepted', reviewer);
    for (const token of [monitor, dsmb]) {
      for (const path of ['/reviews', '/reviews?status=accepted', `/reviews/${anyItem.reviewId}`]) expect((await call(path, token)).status).toBe(403);
      const context = await browser.newContext();
      const page = await context.newPage();
      const asked: string[] = [];
      page.on('request', (r) => asked.push(new URL(r.url()).pathname));
      await page.goto(`${base}/?trial=${encodeURIComponent(trialId)}#token=${token}`);
      await page.waitForSelector('body[data-state=ready]');
      expect(await page.locator('[data-testid=queue], [data-testid=review-item], [data-testid=waterfall]').count()).toBe(0);
      expect(asked.filter((p) => p.startsWith('/reviews'))).toEqual([]);
      await context.close();
    }
  });
});
