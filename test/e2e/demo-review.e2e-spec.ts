/// <reference lib="dom" />
// The page.evaluate callbacks run in the browser: they need the DOM types.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { signToken } from '@trial/auth';
import { topicNames } from '@trial/contracts';
import { projectRoot, RunningServices, startServices } from '../../apps/cli/src/supervisor';
import { Api } from '../../apps/cli/src/demo/api-client';
import { readManifest, replayTrial } from '../../apps/cli/src/demo/bcis1';
import { eventually, KAFKA_BROKERS, privateDatabase, privateTopics, readAll, testKafka } from '../support';
import { launchChromium } from './support/browser';

/**
 * The reviewer's screen on the demo: the BCIS-1 demo's data replayed through
 * the compiled services as `npm start` does (fast), then a reviewer in a real browser works the
 * queue the demo leaves: the namesake and the death before randomisation (demo/review-cases.ts),
 * queued by the linkage's own model. The namesake is opened, read field by field with its
 * waterfalls and rejected with a note from the keyboard; the early death is accepted, and the
 * DSMB's read-out counts it at once.
 */
const SECRET = 'test-secret-test-secret-test-secret-0123';
const OUT = join(projectRoot(), 'test-output');
const DATA = join(projectRoot(), 'demo', 'data');
const FIELDS = ['identifier', 'dateOfBirth', 'sex', 'familyName', 'givenNames', 'postcode'];

interface Item {
  reviewId: string;
  reason: string;
  createdAt: string;
  prior: { lambda: number; weight: number } | null;
  record: { source: string; recordId: string };
  candidates: Array<{ patientId: string; weight: number; fields: Record<string, { level: string; weight: number }> }>;
}

describe('reviewer screen on the demo (browser)', () => {
  const kafka = testKafka();
  const ports = { api: 4380, ingest: 4381, linkage: 4382, projector: 4383 };
  const base = `http://127.0.0.1:${ports.api}`;
  const reviewer = signToken(SECRET, { sub: 'demo-clerk', role: 'reviewer', ttlSeconds: 900 });
  const dsmb = signToken(SECRET, { sub: 'dsmb-chair', role: 'dsmb', ttlSeconds: 900 });
  const manifest = readManifest(DATA);
  const [early, namesake] = manifest.awaitingReview;
  // BCIS-1 is a fixed trial id: a database of its own, so no earlier run's read-out is in it.
  const db = privateDatabase('demo_review');
  let services: RunningServices;
  let drop: () => Promise<void>;
  let prefix: string;
  let browser: Browser;

  const json = async <T>(path: string, token: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const deaths = async () => (await json<{ events: number }>(`/trials/${manifest.trialId}/survival`, dsmb)).events;
  const openQueue = () => json<Item[]>('/reviews?status=open', reviewer);
  const find = (items: Item[], a: { source: string; recordId: string }) =>
    items.find((i) => i.record.source === a.source && i.record.recordId === a.recordId);

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    await db.drop();
    await db.create();
    ({ prefix, drop } = await privateTopics(kafka, 'demo-review'));
    services = await startServices(
      {
        KAFKA_BROKERS,
        DATABASE_URL: db.url,
        TOPIC_PREFIX: prefix,
        LOG_LEVEL: 'info',
        NODE_ENV: 'test',
        AUTH_SECRET: SECRET,
      },
      ports,
      join(OUT, 'e2e-logs', 'demo-review'),
    );
    browser = await launchChromium();
    const lines: string[] = [];
    // Six years in about four seconds: the pipeline catches up; no manifest decision is due (none is raised).
    await replayTrial({
      kafka,
      topics: topicNames(prefix),
      dataDir: DATA,
      api: new Api(base, manifest.trialId, { dsmb, reviewer }),
      speed: 15,
      reviewWaitMs: 2_000,
      print: (l) => lines.push(l),
    });
    await eventually(async () => ((await deaths()) === 100 ? true : undefined), "the demo's 100 deaths in the read-out", 90_000);
    await eventually(
      async () => {
        const open = await openQueue();
        return find(open, early) && find(open, namesake) ? true : undefined;
      },
      "the demo's open cases queued",
      30_000,
    );
  }, 200_000);

  afterAll(async () => {
    await browser?.close();
    await services?.stop();
    await drop?.();
    await db.drop();
  });

  it('queue oldest first with reasons; the namesake read and rejected with a note; the early death accepted and counted', async () => {
    const queue = await openQueue();
    const created = queue.map((i) => i.createdAt);
    expect(created).toEqual([...created].sort());
    const earlyItem = find(queue, early)!;
    const namesakeItem = find(queue, namesake)!;
    expect(earlyItem.reason).toBe('death-before-randomisation');
    expect(namesakeItem.reason).toBe('between-thresholds');
    // The early death's registry came first: it is the oldest item.
    expect(queue[0].reviewId).toBe(earlyItem.reviewId);

    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const dsmbPage = await context.newPage();
    await dsmbPage.goto(`${base}/?trial=${encodeURIComponent(manifest.trialId)}#token=${dsmb}`);
    await dsmbPage.waitForSelector('[data-testid=live][data-state=live]');
    expect(await dsmbPage.locator('[data-testid=deaths]').textContent()).toBe('100');

    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/#token=${reviewer}`);
    await page.waitForSelector(`body[data-state=ready][data-queue="${queue.length}"]`);
    const items = page.locator('[data-testid=queue-item]');
    expect(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-review')))).toEqual(queue.map((i) => i.reviewId));
    const reasons = await items.locator('[data-testid=reason]').allTextContents();
    expect(reasons[queue.indexOf(earlyItem)]).toBe('Death before randomisation');
    expect(reasons[queue.indexOf(namesakeItem)]).toBe('Between the thresholds');

    // The oldest opens first; j down to the namesake.
    await page.waitForSelector(`[data-testid=review-item][data-review="${earlyItem.reviewId}"]`);
    for (let i = 0; i < queue.indexOf(namesakeItem); i++) await page.keyboard.press('j');
    await page.waitForSelector(`[data-testid=review-item][data-review="${namesakeItem.reviewId}"]`);
    const item = await json<Item>(`/reviews/${namesakeItem.reviewId}`, reviewer);
    const best = item.candidates[0];
    expect([best.fields.familyName.level, best.fields.givenNames.level, best.fields.sex.level]).toEqual(['exact', 'exact', 'same']);
    expect([best.fields.identifier.level, best.fields.dateOfBirth.level, best.fields.postcode.level]).toEqual(['absent', 'one-day', 'other']);
    const table = page.locator('[data-testid=side-by-side]');
    expect(await table.locator('tr[data-field]').count()).toBe(6);
    for (const k of FIELDS) {
      const text = await table.locator(`tr[data-field=${k}] [data-testid=level]`).first().textContent();
      expect(text).toContain(best.fields[k].level);
      expect(text).toContain(Math.abs(best.fields[k].weight).toFixed(2));
    }
    const charts = page.locator('[data-testid=candidate] [data-testid=waterfall]');
    expect(await charts.count()).toBe(item.candidates.length);
    for (let i = 0; i < item.candidates.length; i++) {
      const c = item.candidates[i];
      const chart = charts.nth(i);
      expect(await chart.getAttribute('data-total')).toBe(c.weight.toFixed(2));
      const bars = await chart
        .locator('[data-testid=waterfall-bar]')
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-key'), e.getAttribute('data-weight')]));
      expect(bars).toEqual([
        ['prior', item.prior!.weight.toFixed(2)],
        ...FIELDS.map((k) => [k, c.fields[k].weight.toFixed(2)]),
        ['total', c.weight.toFixed(2)],
      ]);
    }
    await page.screenshot({ path: join(OUT, 'dashboard-reviewer-demo.png'), fullPage: true });

    // Reject with a note, from the keyboard; it shows as sent at once, then as applied.
    const note = 'namesake: born a day apart, other district, no NHS number; patient alive';
    await page.keyboard.press('n');
    await page.keyboard.type(note);
    await page.keyboard.press('Escape');
    await page.keyboard.press('r');
    await page.waitForSelector(`[data-testid=queue-item][data-review="${namesakeItem.reviewId}"][data-state=sent]`, { timeout: 5_000 });
    await page.waitForSelector(`[data-testid=decided-item][data-review="${namesakeItem.reviewId}"]`, { timeout: 30_000 });
    expect(await page.locator(`[data-testid=decided-item][data-review="${namesakeItem.reviewId}"]`).textContent()).toMatch(/^Rejected/);
    await page.waitForSelector(`body[data-queue="${queue.length - 1}"]`);
    expect(await deaths()).toBe(100);
    // The note travels with the decision, on linkage.reviews.
    const published = await eventually(
      async () =>
        (await readAll(kafka, topicNames(prefix).reviews, 1))
          .map((m) => m.value as { reviewId: string })
          .find((v) => v.reviewId === namesakeItem.reviewId),
      "the namesake's decision published",
    );
    expect(published).toMatchObject({ decision: 'reject', patientId: null, reviewer: 'demo-clerk', note });

    // The early death: open it from the queue and accept its one candidate; the DSMB page counts it live.
    await page.click(`[data-testid=queue-item][data-review="${earlyItem.reviewId}"]`);
    await page.waitForSelector(`[data-testid=review-item][data-review="${earlyItem.reviewId}"]`);
    await page.keyboard.press('a');
    await page.waitForSelector(`[data-testid=queue-item][data-review="${earlyItem.reviewId}"][data-state=sent]`, { timeout: 5_000 });
    await page.waitForSelector(`[data-testid=decided-item][data-review="${earlyItem.reviewId}"]`, { timeout: 30_000 });
    expect(await page.locator(`[data-testid=decided-item][data-review="${earlyItem.reviewId}"]`).textContent()).toContain(
      `Linked to ${earlyItem.candidates[0].patientId}`,
    );
    await dsmbPage.waitForFunction(() => document.querySelector('[data-testid=deaths]')?.textContent === '101', undefined, { timeout: 30_000 });
    expect(await deaths()).toBe(101);
    await page.waitForSelector(`body[data-queue="${queue.length - 2}"]`);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
