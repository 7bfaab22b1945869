import type { DataSource } from 'typeorm';
import type { AppConfig } from '@trial/config';
import { ServiceMetrics } from './definitions';
import { StateGauges } from './state-gauges';

/** A data source that answers the three state queries from fixed rows, or fails. */
function fakeDs(fail: { now: boolean }): DataSource {
  const day = 86_400_000;
  return {
    query: async (sql: string) => {
      if (fail.now) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      if (sql.includes('from lk_reviews')) {
        return [
          { trial_id: 'T1', reason: 'close-candidates', n: 2, oldest: new Date(Date.now() - 3 * day) },
          { trial_id: 'T1', reason: 'death-before-randomisation', n: 1, oldest: new Date(Date.now() - 20 * day) },
        ];
      }
      if (sql.includes('from rm_trials')) {
        return [{ trial_id: 'T1', updated_at: new Date(Date.now() - 60_000), data_complete: { ONS: '2026-09-30' } }];
      }
      return [{ source: 'ONS', complete_up_to: '2026-09-30', recorded_at: new Date('2026-10-02T08:00:00Z') }];
    },
  } as unknown as DataSource;
}

const value = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`no ${series} in\n${text}`);
  return Number(line.slice(series.length + 1));
};

describe('StateGauges', () => {
  const setup = () => {
    const fail = { now: false };
    const m = new ServiceMetrics();
    const warnings: string[] = [];
    new StateGauges(fakeDs(fail), m, { TOPIC_PREFIX: '' } as AppConfig, (_l, msg, f) => warnings.push(`${msg} ${JSON.stringify(f)}`)).onModuleInit();
    return { fail, m, warnings };
  };

  it('reads the review queue, freshness and completeness at each scrape', async () => {
    const { m } = setup();
    const text = await m.registry.metrics();
    expect(value(text, 'followup_state_read_success')).toBe(1);
    expect(value(text, 'followup_review_queue_items{trial_id="T1",reason="close-candidates"}')).toBe(2);
    expect(value(text, 'followup_review_queue_oldest_age_seconds{trial_id="T1"}')).toBeCloseTo(20 * 86_400, -1);
    expect(value(text, 'followup_readout_freshness_seconds{trial_id="T1"}')).toBeCloseTo(60, -1);
    expect(value(text, 'followup_readout_complete_up_to_timestamp_seconds{trial_id="T1",registry="ONS"}')).toBe(Date.UTC(2026, 8, 30) / 1000);
    expect(value(text, 'followup_registry_completeness_moved_timestamp_seconds{registry="ONS"}')).toBe(Date.UTC(2026, 9, 2, 8) / 1000);
  });

  it('says so when Postgres does not answer, and shows no stale value meanwhile', async () => {
    const { fail, m, warnings } = setup();
    await m.registry.metrics();
    fail.now = true;
    await new Promise((r) => setTimeout(r, 1_100)); // past the read shared by one scrape
    const text = await m.registry.metrics();
    expect(value(text, 'followup_state_read_success')).toBe(0);
    expect(text).not.toMatch(/^followup_review_queue_items\{/m);
    expect(text).not.toMatch(/^followup_readout_freshness_seconds\{/m);
    expect(warnings).toEqual(['metrics: state read failed {"error":"Error ECONNREFUSED"}']);
  });
});
