import type { AwaitingReview } from '../../../../demo/manifest';
import { Api, ReviewItem } from './api-client';

const REASONS: Record<ReviewItem['reason'], string> = {
  'between-thresholds': 'between the thresholds',
  'close-candidates': 'close candidates',
  'death-before-randomisation': 'death before randomisation',
  'household-member': 'household member',
  'identifier-conflict': 'identifier conflict',
};

/**
 * The review queue as the demo leaves it for the reviewer: waits (up to `timeoutMs`) for the
 * registrations the manifest leaves open to be queued, then one line for the count by reason
 * and one per item, oldest first. Record and trial ids only, no personal identifier.
 */
export async function awaitingReviewLines(api: Api, expected: readonly AwaitingReview[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let open: ReviewItem[] = [];
  for (;;) {
    open = await api.openReviews();
    const queued = expected.every((e) => open.some((i) => i.record.source === e.source && i.record.recordId === e.recordId));
    if (queued || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const counts = new Map<string, number>();
  for (const i of open) counts.set(REASONS[i.reason], (counts.get(REASONS[i.reason]) ?? 0) + 1);
  const byReason = [...counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
  const lines = [
    `review queue: ${open.length} item${open.length === 1 ? '' : 's'} await${open.length === 1 ? 's' : ''} a reviewer` +
      (open.length ? ` (${byReason})` : ''),
  ];
  for (const i of open) {
    const meant = expected.find((e) => e.source === i.record.source && e.recordId === i.record.recordId);
    const candidates = i.candidates.map((c) => c.patientId).join(', ');
    lines.push(
      `  ${i.createdAt.slice(0, 19)}Z  ${i.record.source} ${i.record.recordId}  ${REASONS[i.reason]}  candidates: ${candidates}` +
        (meant ? `  (the demo's ${meant.case}: ${meant.decision} it)` : ''),
    );
  }
  const missing = expected.filter((e) => !open.some((i) => i.record.source === e.source && i.record.recordId === e.recordId));
  for (const m of missing) lines.push(`  ${m.source} ${m.recordId} (${m.case}) was not queued for review`);
  return lines;
}
