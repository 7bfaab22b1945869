import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@trial/config';
import { failureCode, Log } from '@trial/messaging';
import { CONFIG, LOG, METRICS } from '../tokens';
import { ServiceMetrics } from './definitions';

/** A scrape must answer even when Postgres does not: the read gives up after this long. */
const READ_TIMEOUT_MS = 2_000;
/** Scrapes this close together share one read (each gauge's collect asks for it). */
const SHARE_MS = 1_000;

interface State {
  reviews: Array<{ trial_id: string; reason: string; n: number; oldest: Date }>;
  trials: Array<{ trial_id: string; updated_at: Date; data_complete: Record<string, string> | null }>;
  registries: Array<{ source: string; complete_up_to: string; recorded_at: Date }>;
}

/** A completeness date (YYYY-MM-DD) as the Unix time of its start, UTC. */
export function dateSeconds(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 1000;
}

/**
 * The state gauges of ServiceMetrics (review queue, read-out freshness, completeness), read
 * from Postgres when Prometheus scrapes: a gauge of state, not of events, so it is right after
 * a restart and whichever instance is asked. Provided by the API, the service that serves
 * these tables. Trial ids, reasons and sources only: no patient, record or arm.
 */
@Injectable()
export class StateGauges implements OnModuleInit {
  private last: { at: number; read: Promise<State | null> } | null = null;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(METRICS) private readonly m: ServiceMetrics,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOG) private readonly log: Log,
  ) {}

  onModuleInit(): void {
    const m = this.m;
    // Each gauge set afresh at each scrape (a trial or review gone since must not linger), and
    // emptied when the read failed (an old value must not pass for a current one).
    const collect = (g: { reset(): void }, apply: (s: State, nowS: number) => void) => async () => {
      const s = await this.state();
      g.reset();
      if (s) apply(s, Date.now() / 1000);
    };
    m.registry.registerMetric(m.stateReadSuccess);
    m.whenScraped(m.stateReadSuccess, async () => {
      m.stateReadSuccess.set((await this.state()) ? 1 : 0);
    });
    m.whenScraped(
      m.reviewQueueItems,
      collect(m.reviewQueueItems, (s) => {
        for (const r of s.reviews) m.reviewQueueItems.set({ trial_id: r.trial_id, reason: r.reason }, r.n);
      }),
    );
    m.whenScraped(
      m.reviewQueueOldest,
      collect(m.reviewQueueOldest, (s, now) => {
        const oldest = new Map<string, number>();
        for (const r of s.reviews) oldest.set(r.trial_id, Math.min(oldest.get(r.trial_id) ?? Infinity, r.oldest.getTime() / 1000));
        for (const [trial, at] of oldest) m.reviewQueueOldest.set({ trial_id: trial }, Math.max(0, now - at));
      }),
    );
    m.whenScraped(
      m.readoutFreshness,
      collect(m.readoutFreshness, (s, now) => {
        for (const t of s.trials) m.readoutFreshness.set({ trial_id: t.trial_id }, Math.max(0, now - t.updated_at.getTime() / 1000));
      }),
    );
    m.whenScraped(
      m.readoutLastApplied,
      collect(m.readoutLastApplied, (s) => {
        for (const t of s.trials) m.readoutLastApplied.set({ trial_id: t.trial_id }, t.updated_at.getTime() / 1000);
      }),
    );
    m.whenScraped(
      m.readoutCompleteness,
      collect(m.readoutCompleteness, (s) => {
        for (const t of s.trials) {
          for (const [registry, date] of Object.entries(t.data_complete ?? {})) {
            m.readoutCompleteness.set({ trial_id: t.trial_id, registry }, dateSeconds(date));
          }
        }
      }),
    );
    m.whenScraped(
      m.registryCompleteUpTo,
      collect(m.registryCompleteUpTo, (s) => {
        for (const r of s.registries) m.registryCompleteUpTo.set({ registry: r.source }, dateSeconds(r.complete_up_to));
      }),
    );
    m.whenScraped(
      m.registryCompletenessMoved,
      collect(m.registryCompletenessMoved, (s) => {
        for (const r of s.registries) m.registryCompletenessMoved.set({ registry: r.source }, r.recorded_at.getTime() / 1000);
      }),
    );
  }

  /** One read shared by the gauges of a scrape; null when it failed (the gauges are then emptied). */
  private state(): Promise<State | null> {
    const now = Date.now();
    if (this.last && now - this.last.at < SHARE_MS) return this.last.read;
    const read = this.read().catch((e: unknown) => {
      this.log('warn', 'metrics: state read failed', { error: failureCode(e) });
      return null;
    });
    this.last = { at: now, read };
    return read;
  }

  private async read(): Promise<State> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { name: 'MetricsReadTimeout' })), READ_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.query(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async query(): Promise<State> {
    const reviews = (await this.ds.query(
      `select trial_id, reason, count(*)::int as n, min(created_at) as oldest from lk_reviews
       where scope = $1 and status = 'open' group by trial_id, reason`,
      [this.config.TOPIC_PREFIX],
    )) as State['reviews'];
    // The latest read-out history row per trial (index rm_readout_history_asof, read backwards).
    const trials = (await this.ds.query(
      `select t.trial_id, t.updated_at, h.data_complete from rm_trials t
       left join lateral (select data_complete from rm_readout_history where trial_id = t.trial_id
         order by recorded_at desc, id desc limit 1) h on true`,
    )) as State['trials'];
    const registries = (await this.ds.query(`select source, complete_up_to, recorded_at from rm_completeness`)) as State['registries'];
    return { reviews, trials, registries };
  }
}
