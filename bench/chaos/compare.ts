// What "identical to a clean run" means, and how a suite knows the pipeline has settled.
import { isDeepStrictEqual } from 'node:util';
import { Kafka } from 'kafkajs';
import { TopicNames } from '@trial/contracts';
import { sql } from './infra';
import { sleep } from './faults';

/**
 * The three read-outs a DSMB relies on, as the API serves them to a dsmb token, with only the
 * fields that legitimately differ between two runs of the same input removed:
 * - `asOf` (survival, interim): the wall-clock instant of the last applied change;
 * - `eventsApplied` (survival, interim): how many events the projector applied, which counts
 *   redeliveries that changed nothing (a re-run ingest, a relay that re-sent after a crash).
 * Everything else (every estimate, count, curve point, boundary, `dataComplete`) must match,
 * and the ADTTE CSV byte for byte.
 */
export interface Readouts {
  survival: unknown;
  interim: unknown;
  adtte: string;
}

const VOLATILE = ['asOf', 'eventsApplied'];

function strip(doc: unknown): unknown {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return doc;
  return Object.fromEntries(Object.entries(doc as Record<string, unknown>).filter(([k]) => !VOLATILE.includes(k)));
}

export async function readouts(apiUrl: string, trialId: string, dsmbToken: string): Promise<Readouts> {
  const get = async (path: string, text: boolean) => {
    const res = await fetch(`${apiUrl}/trials/${encodeURIComponent(trialId)}/${path}`, {
      headers: { authorization: `Bearer ${dsmbToken}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return text ? res.text() : res.json();
  };
  const [survival, interim, adtte] = await Promise.all([get('survival', false), get('interim', false), get('adtte.csv', true)]);
  return { survival: strip(survival), interim: strip(interim), adtte: adtte as string };
}

/** Paths at which two read-outs differ (the first few), empty when identical. */
export function differences(want: Readouts, got: Readouts, limit = 8): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (out.length >= limit || isDeepStrictEqual(a, b)) return;
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of keys) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      return;
    }
    out.push(`${path}: clean ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`);
  };
  walk(want.survival, got.survival, 'survival');
  walk(want.interim, got.interim, 'interim');
  if (want.adtte !== got.adtte) {
    const a = want.adtte.split('\n'),
      b = got.adtte.split('\n');
    const i = a.findIndex((l, j) => l !== b[j]);
    out.push(
      `adtte.csv: ${a.length} vs ${b.length} lines; first difference at line ${i + 1}: ${JSON.stringify(a[i]?.slice(0, 60))} vs ${JSON.stringify(b[i]?.slice(0, 60))}`,
    );
  }
  return out;
}

export const identical = (a: Readouts, b: Readouts) => differences(a, b, 1).length === 0;

/** Which topics each consumer reads (apps/linkage, apps/projector). */
const CONSUMES = { linkage: ['enrollments', 'notifications', 'reviews'], projector: ['enrollments', 'outcomes'] } as const;

/**
 * True when the pipeline has nothing left to do: every partition of every input topic is at its
 * high watermark in the consumer's Postgres checkpoint (where the consumers record what they
 * applied, in the same transaction as the effect) and the outbox holds nothing unsent, with the
 * watermarks unchanged across the check.
 */
export async function settled(kafka: Kafka, topics: TopicNames, dbUrl: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const marks = async () => {
      const m = new Map<string, string>();
      for (const logical of ['enrollments', 'notifications', 'reviews', 'outcomes'] as const) {
        for (const p of await admin.fetchTopicOffsets(topics[logical])) m.set(`${topics[logical]}/${p.partition}`, p.high);
      }
      return m;
    };
    const before = await marks();
    const rows = await sql<{ consumer: string; topic: string; partition: number; offset: string }>(
      dbUrl,
      'select consumer, topic, partition, "offset"::text as "offset" from consumer_checkpoints',
    );
    const at = new Map(rows.map((r) => [`${r.consumer}|${r.topic}/${r.partition}`, BigInt(r.offset)]));
    for (const [consumer, logicals] of Object.entries(CONSUMES)) {
      for (const logical of logicals) {
        for (const [tp, high] of before) {
          if (!tp.startsWith(`${topics[logical]}/`)) continue;
          if (BigInt(high) === 0n) continue;
          if ((at.get(`${consumer}|${tp}`) ?? -1n) < BigInt(high) - 1n) return false;
        }
      }
    }
    const [unsent] = await sql<{ n: string }>(dbUrl, 'select count(*)::text as n from outbox where sent_at is null');
    if (unsent.n !== '0') return false;
    const after = await marks();
    return isDeepStrictEqual(before, after);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Waits until `settled` holds twice in a row, half a second apart; throws after `timeoutMs`. */
export async function waitSettled(kafka: Kafka, topics: TopicNames, dbUrl: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  let streak = 0;
  while (Date.now() - t0 < timeoutMs) {
    const ok = await settled(kafka, topics, dbUrl).catch(() => false);
    streak = ok ? streak + 1 : 0;
    if (streak >= 2) return Date.now() - t0;
    await sleep(500);
  }
  throw new Error(`the pipeline did not settle within ${timeoutMs / 1000} s`);
}

/**
 * Polls the read-outs until they equal `want`; returns the milliseconds it took, or the last
 * differences when `timeoutMs` passes first.
 */
export async function waitIdentical(
  apiUrl: () => string,
  trialId: string,
  token: string,
  want: Readouts,
  timeoutMs: number,
  since = Date.now(),
): Promise<{ ok: true; ms: number } | { ok: false; diffs: string[] }> {
  let diffs: string[] = ['no read-out yet'];
  while (Date.now() - since < timeoutMs) {
    try {
      const got = await readouts(apiUrl(), trialId, token);
      diffs = differences(want, got);
      if (!diffs.length) return { ok: true, ms: Date.now() - since };
    } catch (e) {
      diffs = [`read-out unavailable: ${(e as Error).message}`];
    }
    await sleep(250);
  }
  return { ok: false, diffs };
}
