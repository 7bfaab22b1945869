import { isDeepStrictEqual } from 'node:util';
import { CONSUMERS, Category, Planned } from './plan';
import { DeadLetterSeen, GroupSeen, ParkedSeen } from './collect';
import { FuzzPlan } from './generate';
import { COMPLETE_UP_TO } from './trial';

/** What the runner saw at the end, for the checks (no I/O here). */
export interface Observed {
  /** seq -> `<topic>:<partition>:<offset>` */
  positions: Map<number, string>;
  letters: DeadLetterSeen[];
  unreadable: string[];
  parked: ParkedSeen[];
  parkTables: string[];
  health: Array<{ service: string; status: number; body: string }>;
  exited: Array<{ service: string; how: string }>;
  groups: GroupSeen[];
  trials: Record<'fuzz' | 'twin', TrialSeen>;
  /** Trial ids GET /trials lists. */
  listed: string[];
  /** GET /reviews/<id> (as reviewer): each planned review's status, null when absent. */
  reviews: Array<{ reviewId: string; status: string | null }>;
  /** GET /trials/<ghost> status, per ghost trial id. */
  ghosts: Array<{ trialId: string; status: number }>;
}

export interface TrialSeen {
  trialId: string;
  status: number;
  survival: Record<string, unknown> | null;
  adtte: Array<Record<string, string>>;
}

export interface CategoryCount {
  category: Category;
  sent: number;
  deadLettered: number;
  parked: number;
  applied: number;
  missing: number;
}

export interface FuzzReport {
  ok: boolean;
  failures: string[];
  counts: CategoryCount[];
}

const LIST = 15;
const more = (n: number) => (n > LIST ? ` (and ${n - LIST} more)` : '');

/** Every assertion of the fuzz, each failure a line that says what and which message. */
export function check(plan: FuzzPlan, seen: Observed): FuzzReport {
  const failures: string[] = [];
  const settled = seen.groups.every((g) => g.lag === 0);

  for (const h of seen.health) if (h.status !== 200) failures.push(`health: ${h.service} GET /health answered ${h.status}: ${h.body.slice(0, 300)}`);
  for (const e of seen.exited) failures.push(`process: ${e.service} is not running (${e.how})`);
  for (const g of seen.groups) {
    if (g.state !== 'Stable' || g.members < 1)
      failures.push(`consumer group ${g.groupId} is ${g.state} with ${g.members} member(s): its consumer stopped`);
    if (g.lag > 0) failures.push(`consumer group ${g.groupId} has ${g.lag} message(s) not consumed`);
  }

  const lettersAt = groupBy(seen.letters, (l) => l.source);
  const parkedAt = groupBy(seen.parked, (p) => p.source);
  // A park table that keeps the event and not its position is matched by the event's content.
  const parkedByContent = groupBy(
    seen.parked.filter((p) => p.source === null && p.event !== null),
    (p) => canonical(p.event),
  );
  const known = new Set(seen.positions.values());
  const counts = new Map<Category, CategoryCount>();
  const count = (c: Category) => counts.get(c) ?? counts.set(c, { category: c, sent: 0, deadLettered: 0, parked: 0, applied: 0, missing: 0 }).get(c)!;
  const missing = new Map<Category, string[]>();
  const unaccounted = new Set<number>();
  const noReason: string[] = [];
  const validRejected: string[] = [];

  for (const m of plan.messages) {
    const c = count(m.category);
    c.sent++;
    const at = seen.positions.get(m.seq);
    const letters = at ? (lettersAt.get(at) ?? []) : [];
    const parks = [...(at ? (parkedAt.get(at) ?? []) : []), ...(parkedByContent.get(contentOf(m) ?? '') ?? [])];
    if (m.category === 'valid') {
      if (letters.length || parks.length) {
        validRejected.push(
          `${describe(m, at)}: ${[...letters.map((l) => `${l.consumer}: ${l.code}: ${l.reason}`), ...parks.map((p) => `${p.table}: ${p.reason}`)].join(' | ').slice(0, 300)}`,
        );
      }
      continue;
    }
    if (letters.length) c.deadLettered++;
    else if (parks.length) c.parked++;
    const accounted = (consumer: string) =>
      letters.some((l) => l.consumer === consumer) || parks.some((p) => p.consumer === null || p.consumer === consumer);
    const need = CONSUMERS[m.topic];
    const lacking = m.rejectedBy === 'every' ? need.filter((n) => !accounted(n)) : need.some(accounted) ? [] : [need.join(' or ')];
    if (lacking.length) {
      c.missing++;
      unaccounted.add(m.seq);
      missing.set(m.category, [...(missing.get(m.category) ?? []), `${describe(m, at)}: nothing from ${lacking.join(', ')}`]);
    }
    for (const x of [
      ...letters.map((l) => ({ reason: l.reason, where: `${l.consumer} ${l.at}` })),
      ...parks.map((p) => ({ reason: p.reason, where: p.table })),
    ]) {
      if (!x.reason || !x.reason.trim()) noReason.push(`${describe(m, at)} (${x.where})`);
    }
  }
  for (const [category, list] of missing) {
    failures.push(
      `${category}: ${list.length} bad message(s) neither dead-lettered nor parked\n    ${list.slice(0, 5).join('\n    ')}${list.length > 5 ? ` (and ${list.length - 5} more)` : ''}`,
    );
  }
  if (noReason.length)
    failures.push(
      `dead letters or parked rows without a reason: ${noReason.length}\n    ${noReason.slice(0, LIST).join('\n    ')}${more(noReason.length)}`,
    );
  if (validRejected.length)
    failures.push(
      `valid messages dead-lettered or parked: ${validRejected.length}\n    ${validRejected.slice(0, LIST).join('\n    ')}${more(validRejected.length)}`,
    );
  const strays = seen.letters.filter((l) => l.source === null || !known.has(l.source));
  if (strays.length)
    failures.push(
      `dead letters for messages the fuzz did not send (e.g. the linkage service's own outcome events): ${strays.length}\n    ${strays
        .slice(0, LIST)
        .map((l) => `${l.at} source ${l.source}: ${l.consumer}: ${l.code}: ${(l.reason ?? '').slice(0, 200)}`)
        .join('\n    ')}${more(strays.length)}`,
    );
  if (seen.unreadable.length) failures.push(`DLQ records that are not JSON: ${seen.unreadable.length} (${seen.unreadable.slice(0, 5).join(', ')})`);

  // Personal identifiers must never reach a dead letter's reason.
  const identifiers = [plan.fuzz, plan.twin].flatMap((t) => [...t.people.values()].flatMap((p) => [p.nhsNumber, p.familyName]));
  const leaks = seen.letters.filter((l) => l.reason && identifiers.some((id) => l.reason!.toLowerCase().includes(id.toLowerCase())));
  if (leaks.length)
    failures.push(
      `dead-letter reasons carrying a patient's NHS number or family name: ${leaks.length}\n    ${leaks
        .slice(0, 5)
        .map((l) => `${l.at} (${l.consumer}, ${l.code}): reason of ${l.reason!.length} chars`)
        .join('\n    ')}`,
    );

  // Valid messages applied, and each trial's read-out the one the valid messages alone give.
  const validCount = count('valid');
  for (const m of plan.messages) {
    if (m.category !== 'valid' || !m.effect) continue;
    const problem = effectProblem(m, seen);
    if (problem === null) validCount.applied++;
    else validCount.missing++;
  }
  const notApplied = plan.messages.filter((m) => m.category === 'valid' && m.effect && effectProblem(m, seen) !== null);
  if (notApplied.length)
    failures.push(
      `valid messages not applied: ${notApplied.length}\n    ${notApplied
        .slice(0, LIST)
        .map((m) => `${describe(m, seen.positions.get(m.seq))}: ${effectProblem(m, seen)}`)
        .join('\n    ')}${more(notApplied.length)}`,
    );

  for (const role of ['fuzz', 'twin'] as const) {
    const t = seen.trials[role];
    const diffs = adtteDiffs(plan, t).map((d) => {
      // Name the bad messages about that patient that nothing refused: the likely cause.
      const pid = d.slice(0, d.indexOf(':'));
      // Only once everything is consumed: a stalled consumer leaves every later message unrefused.
      const suspects = !settled
        ? []
        : plan.messages.filter((m) => unaccounted.has(m.seq) && concerns(m, t.trialId, pid)).map((m) => `#${m.seq} ${m.category}: ${m.variant}`);
      return suspects.length ? `${d}; not refused: ${suspects.slice(0, 3).join('; ')}` : d;
    });
    if (diffs.length)
      failures.push(
        `${t.trialId} (${role}) ADTTE differs from the valid messages' follow-up: ${diffs.length} patient(s)\n    ${diffs.slice(0, LIST).join('\n    ')}${more(diffs.length)}`,
      );
    const arms = armCounts(t.survival);
    for (const arm of plan.fuzz.design.arms) {
      const want = { n: plan.patients.filter((p) => p.arm === arm).length, events: plan.patients.filter((p) => p.arm === arm && p.death).length };
      const got = arms.get(arm);
      if (!got || got.n !== want.n || got.events !== want.events)
        failures.push(
          `${t.trialId} (${role}) read-out arm ${arm}: ${got ? `${got.n} randomised, ${got.events} deaths` : 'absent'}, expected ${want.n} randomised, ${want.events} deaths`,
        );
    }
  }
  const a = normalise(seen.trials.fuzz.survival);
  const b = normalise(seen.trials.twin.survival);
  if (!isDeepStrictEqual(a, b)) {
    const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].filter((k) => !isDeepStrictEqual(a?.[k], b?.[k]));
    failures.push(
      `the fuzzed trial's read-out differs from its twin's (valid messages alone) in: ${keys.join(', ')}${keys.includes('groups') ? `\n    fuzz ${JSON.stringify(groupsOf(a))}\n    twin ${JSON.stringify(groupsOf(b))}` : ''}`,
    );
  }

  const ghostsListed = plan.ghosts.filter((g) => seen.listed.includes(g));
  if (ghostsListed.length)
    failures.push(`ghost trials listed by GET /trials (outcome events of trials never registered): ${ghostsListed.join(', ')}`);
  for (const g of seen.ghosts) if (g.status !== 404) failures.push(`GET /trials/${g.trialId} (never registered) answered ${g.status}, not 404`);

  const bad = [...new Set(plan.messages.map((m) => m.category))].filter((c) => c !== 'valid').sort();
  const order: Category[] = ['valid', ...bad];
  return { ok: failures.length === 0, failures, counts: order.map((c) => count(c)) };
}

function describe(m: Planned, at: string | undefined): string {
  return `#${m.seq} ${m.category} on ${at ?? `${m.topic} (never sent)`}: ${m.variant}`;
}

/** JSON with sorted keys, so a jsonb copy (which reorders keys) compares equal to the bytes sent. */
function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : x !== null && typeof x === 'object'
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, sort((x as Record<string, unknown>)[k])]),
          )
        : x;
  return JSON.stringify(sort(v));
}

function contentOf(m: Planned): string | null {
  if (m.value === null) return null;
  try {
    return canonical(JSON.parse(m.value.toString('utf8')));
  } catch {
    return null;
  }
}

function concerns(m: Planned, trialId: string, patientId: string): boolean {
  if (m.value === null || m.value.length > 100_000) return false;
  try {
    const v = JSON.parse(m.value.toString('utf8')) as { trialId?: unknown; patientId?: unknown };
    return v?.trialId === trialId && v?.patientId === patientId;
  } catch {
    return false;
  }
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string | null): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    if (k === null) continue;
    m.set(k, [...(m.get(k) ?? []), x]);
  }
  return m;
}

function trialOf(seen: Observed, trialId: string): TrialSeen | null {
  return [seen.trials.fuzz, seen.trials.twin].find((t) => t.trialId === trialId) ?? null;
}

/** Why a valid message's effect is not visible, or null when it is. */
function effectProblem(m: Planned, seen: Observed): string | null {
  const e = m.effect!;
  switch (e.kind) {
    case 'registered': {
      const t = trialOf(seen, e.trialId);
      return t?.status === 200 ? null : `GET /trials/${e.trialId} answered ${t?.status}`;
    }
    case 'randomised': {
      const row = trialOf(seen, e.trialId)?.adtte.find((r) => r.USUBJID === `${e.trialId}-${e.patientId}`);
      return row ? null : `${e.patientId} has no ADTTE row`;
    }
    case 'death': {
      const row = trialOf(seen, e.trialId)?.adtte.find((r) => r.USUBJID === `${e.trialId}-${e.patientId}`);
      return row && row.CNSR === '0' && row.ADT === e.date
        ? null
        : `${e.patientId}: ADTTE ${row ? `CNSR ${row.CNSR} ADT ${row.ADT}` : 'no row'}, expected a death on ${e.date}`;
    }
    case 'complete': {
      const dc = (seen.trials.fuzz.survival?.dataComplete ?? {}) as Record<string, string>;
      return dc.ONS === e.upTo ? null : `dataComplete.ONS is ${dc.ONS}, expected ${e.upTo}`;
    }
    case 'review': {
      const r = seen.reviews.find((x) => x.reviewId === e.reviewId);
      return r?.status === e.status ? null : `review ${e.reviewId} is ${r?.status ?? 'absent'}, expected ${e.status}`;
    }
    default: {
      const never: never = e;
      return `unknown effect ${JSON.stringify(never)}`;
    }
  }
}

/** Each patient's row against the expected follow-up (death at its date, else censored at the registry's completeness). */
function adtteDiffs(plan: FuzzPlan, t: TrialSeen): string[] {
  const out: string[] = [];
  const rows = new Map(t.adtte.map((r) => [r.USUBJID, r]));
  for (const p of plan.patients) {
    const id = `${t.trialId}-${p.patientId}`;
    const r = rows.get(id);
    rows.delete(id);
    const want = { TRTP: p.arm, STARTDT: p.randomisedOn, CNSR: p.death ? '0' : '1', ADT: p.death ?? COMPLETE_UP_TO };
    if (!r) {
      out.push(`${p.patientId}: no row, expected ${JSON.stringify(want)}`);
      continue;
    }
    const got = { TRTP: r.TRTP, STARTDT: r.STARTDT, CNSR: r.CNSR, ADT: r.ADT };
    if (!isDeepStrictEqual(got, want)) out.push(`${p.patientId}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
  for (const id of rows.keys()) out.push(`${id}: a patient no valid message randomised`);
  return out;
}

function armCounts(survival: Record<string, unknown> | null): Map<string, { n: number; events: number }> {
  const groups = (survival?.groups ?? []) as Array<{ group: string; n: number; events: number }>;
  return new Map(groups.map((g) => [g.group, { n: g.n, events: g.events }]));
}

/** A read-out without what names the trial or the moment it was read. */
function normalise(s: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!s) return null;
  const { trialId: _t, asOf: _a, ...rest } = s;
  return rest;
}

function groupsOf(s: Record<string, unknown> | null) {
  return ((s?.groups ?? []) as Array<{ group: string; n: number; events: number }>).map((g) => ({ group: g.group, n: g.n, events: g.events }));
}
