import type { InterimLookTaken, RegistrySource, ReviewReason } from '@trial/contracts';
import type { SurvivalReadout } from '@trial/survival';
import type { FrozenLookBody, InterimBody } from './looks';

/** A review item as the API lists it (only the fields the demo needs). */
export interface ReviewItem {
  reviewId: string;
  reason: ReviewReason;
  createdAt: string;
  record: { source: RegistrySource; recordId: string };
  candidates: Array<{ patientId: string }>;
}

export type SurvivalResponse = SurvivalReadout & { trialId: string; asOf: string; eventsApplied: number };

/** The demo's HTTP client for the api: dsmb reads, reviewer decisions. */
export class Api {
  constructor(
    private readonly base: string,
    private readonly trialId: string,
    private readonly tokens: { dsmb: string; reviewer: string },
  ) {}

  async get<T>(path: string, role: 'dsmb' | 'reviewer' = 'dsmb'): Promise<T> {
    const res = await fetch(`${this.base}${path}`, { headers: { authorization: `Bearer ${this.tokens[role]}` } });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
    return (path.endsWith('.csv') ? await res.text() : await res.json()) as T;
  }

  survival(query = ''): Promise<SurvivalResponse> {
    return this.get(`/trials/${encodeURIComponent(this.trialId)}/survival${query}`);
  }

  interim(): Promise<InterimBody> {
    return this.get(`/trials/${encodeURIComponent(this.trialId)}/interim`);
  }

  looks(): Promise<Array<{ taken: InterimLookTaken }>> {
    return this.get(`/trials/${encodeURIComponent(this.trialId)}/looks`);
  }

  look(n: number): Promise<FrozenLookBody> {
    return this.get(`/trials/${encodeURIComponent(this.trialId)}/looks/${n}`);
  }

  /** The DSMB's look at the read-out now (POST /trials/:id/looks, as the dashboard's Take look). */
  async takeLook(): Promise<InterimLookTaken> {
    const res = await fetch(`${this.base}/trials/${encodeURIComponent(this.trialId)}/looks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.tokens.dsmb}`, 'content-type': 'application/json' },
      body: '{}',
    });
    if (!res.ok) throw new Error(`take look: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as InterimLookTaken;
  }

  async deathsByArm(): Promise<Record<string, number>> {
    const s = await this.survival();
    return Object.fromEntries(s.groups.map((g) => [g.group, g.events]));
  }

  /** The open review items, oldest first (the reviewer's queue). */
  openReviews(): Promise<ReviewItem[]> {
    return this.get<ReviewItem[]>('/reviews?status=open&limit=1000', 'reviewer');
  }

  /** Waits for the linkage to queue a review item for this record; null if none comes. */
  async waitForReview(source: RegistrySource, recordId: string, timeoutMs: number): Promise<ReviewItem | null> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const items = await this.openReviews();
      const item = items.find((i) => i.record.source === source && i.record.recordId === recordId);
      if (item) return item;
      await new Promise((r) => setTimeout(r, 250));
    }
    return null;
  }

  async decideReview(item: ReviewItem, decision: 'accept' | 'reject', patientId: string | null, note: string): Promise<void> {
    const res = await fetch(`${this.base}/reviews/${encodeURIComponent(item.reviewId)}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.tokens.reviewer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision, patientId, note }),
    });
    if (!res.ok) throw new Error(`review ${item.reviewId}: HTTP ${res.status} ${await res.text()}`);
  }
}
