import { murmur2 } from '../../libs/ingest/src/partitioner';
import { reviewIdOf } from '../../libs/linkage-service/src/ids';
import { BadContext, makeBad } from './bad';
import { BAD_CATEGORIES, BadCategory, Effect, Logical, Planned } from './plan';
import { Rng } from './rng';
import {
  deathBeforeRandomisation,
  deathRecord,
  directDeath,
  ExpectedPatient,
  reviewRejected,
  expectedPatients,
  extractComplete,
  extractCompleted,
  randomised,
  TrialPlan,
  trialPlan,
} from './trial';

export interface FuzzOptions {
  seed: number;
  /** Bad messages in all (at least 10,000 in the full form). */
  bad: number;
  /** Patients in each of the two trials. */
  patients: number;
  /** Partitions of each input topic. */
  partitions: number;
  /** Oversized (500-900 KB) messages among the bad ones; default one in 500, at least 4. */
  oversized?: number;
  /**
   * The topic prefix the services run with: the linkage service's review ids depend on it, and
   * the valid review decision names one. Default ''.
   */
  scope?: string;
  /** Categories left out (to look at the others while a defect in one halts a consumer); none by default. */
  skip?: BadCategory[];
}

export interface FuzzPlan {
  options: Required<FuzzOptions>;
  tag: string;
  fuzz: TrialPlan;
  twin: TrialPlan;
  ghosts: string[];
  patients: ExpectedPatient[];
  messages: Planned[];
}

/** Relative weights of the bad categories (oversized is a count of its own). */
const WEIGHTS: Record<Exclude<BadCategory, 'oversized'>, number> = {
  'random-bytes': 18,
  'invalid-json': 14,
  'wrong-schema': 16,
  'unknown-type': 10,
  'unknown-version': 10,
  'impossible-date': 10,
  'out-of-range-version': 6,
  'null-values': 8,
  'nul-in-text': 1.5,
  'long-field': 1.5,
  'future-completeness': 1,
  'duplicate-id': 4,
  'conflicting-randomisation': 1.5,
  'unregistered-trial': 2,
  'unknown-review': 1.5,
};

/** The partition a key goes to with kafkajs's default (Java murmur2) partitioner. */
export const partitionOf = (key: Buffer, partitions: number) => (murmur2(key) & 0x7fffffff) % partitions;

/**
 * The whole fuzz, as a pure function of its options: two trials (fuzzed and twin), the
 * set-up phase (valid, sent and applied first) and the fuzz phase (the rest of the valid
 * messages for both trials and every bad one, shuffled together).
 */
export function generate(opts: FuzzOptions): FuzzPlan {
  const skip = opts.skip ?? [];
  const options: Required<FuzzOptions> = {
    ...opts,
    scope: opts.scope ?? '',
    oversized: skip.includes('oversized') ? 0 : (opts.oversized ?? Math.max(4, Math.round(opts.bad / 500))),
    skip,
  };
  const rng = new Rng(options.seed);
  const tag = `FZ${options.seed}`;
  const patients = forceCases(expectedPatients(rng, options.patients));
  const fuzz = trialPlan(rng, `${tag}-FUZZ`, 'fuzz', patients, options.seed);
  const twin = trialPlan(rng, `${tag}-TWIN`, 'twin', patients, options.seed);
  const ghosts = [1, 2, 3].map((k) => `${tag}-GHOST${k}`);

  type Draft = Omit<Planned, 'seq' | 'partition'>;
  const setup: Draft[] = [];
  const later: Draft[] = [];
  const valid = (phase: 1 | 2, topic: Logical, key: string, value: unknown, variant: string, effect: Effect): Draft => ({
    phase,
    topic,
    key: Buffer.from(key),
    value: Buffer.from(JSON.stringify(value)),
    category: 'valid',
    variant,
    effect,
  });

  const reviewed = patients[2];
  for (const t of [fuzz, twin]) {
    const first = setup.length;
    setup.push(valid(1, 'enrollments', `${t.trialId}:`, t.design, `TrialRegistered (${t.role})`, { kind: 'registered', trialId: t.trialId }));
    for (const p of patients) {
      const into = p.early ? setup : later;
      into.push(
        valid(p.early ? 1 : 2, 'enrollments', `${t.trialId}:${p.patientId}`, randomised(t, p), `PatientRandomised (${t.role})`, {
          kind: 'randomised',
          trialId: t.trialId,
          patientId: p.patientId,
        }),
      );
      if (p.death === null) continue;
      const phase = p.deathEarly ? 1 : 2;
      const effect: Effect = { kind: 'death', trialId: t.trialId, patientId: p.patientId, date: p.death };
      const m =
        p.route === 'registry'
          ? valid(phase, 'notifications', `ONS:${deathRecord(t, p).recordId}`, deathRecord(t, p), `death record (${t.role})`, effect)
          : valid(phase, 'outcomes', `${t.trialId}:${p.patientId}`, directDeath(t, p), `DeathLinked (${t.role})`, effect);
      (phase === 1 ? setup : later).push(m);
    }
    // A death registered before randomisation opens a review (set-up); the fuzz phase rejects it.
    const record = deathBeforeRandomisation(t, reviewed);
    const reviewId = reviewIdOf(options.scope, record.source, record.recordId, record.version, t.trialId);
    const effect: Effect = { kind: 'review', trialId: t.trialId, reviewId, status: 'rejected' };
    setup.push(valid(1, 'notifications', `ONS:${record.recordId}`, record, `death before randomisation (${t.role})`, effect));
    later.push(valid(2, 'reviews', reviewId, reviewRejected(reviewId, t), `ReviewDecided reject (${t.role})`, effect));
    // Republished set-up messages, byte for byte: an exact redelivery is absorbed, never dead-lettered.
    for (const m of setup.slice(first).filter((_, i) => i % 5 === 2)) later.push({ ...m, phase: 2, variant: `${m.variant}, republished` });
  }
  later.push(
    valid(2, 'notifications', 'ONS:extract-complete:2012-12-31', extractComplete(), 'extract-complete', {
      kind: 'complete',
      upTo: extractComplete().completeUpTo,
    }),
  );
  later.push(
    valid(2, 'outcomes', 'registry:ONS', extractCompleted(tag), 'RegistryExtractCompleted', {
      kind: 'complete',
      upTo: extractComplete().completeUpTo,
    }),
  );

  const early = patients.filter((p) => p.early);
  const ctx: BadContext = {
    rng,
    tag,
    fuzz,
    ghosts,
    alive: patients.filter((p) => p.death === null),
    originals: {
      randomisations: early.map((p) => randomised(fuzz, p)),
      registryDeaths: early.filter((p) => p.deathEarly && p.route === 'registry').map((p) => deathRecord(fuzz, p)),
      directDeaths: early.filter((p) => p.deathEarly && p.route === 'direct').map((p) => directDeath(fuzz, p)),
    },
  };
  const weighted = (Object.entries(WEIGHTS) as Array<[BadCategory, number]>).filter(([c]) => !skip.includes(c));
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  const rest = options.bad - options.oversized;
  const bad: BadCategory[] = Array.from({ length: options.oversized }, (): BadCategory => 'oversized');
  // Exact shares by largest remainder, so every category is present and the sum is `bad`.
  const shares = weighted.map(([c, w]) => ({ c, exact: (rest * w) / total }));
  const counts = new Map(shares.map((s) => [s.c, Math.floor(s.exact)]));
  let left = rest - [...counts.values()].reduce((s, n) => s + n, 0);
  for (const s of [...shares].sort((a, b) => (b.exact % 1) - (a.exact % 1))) if (left-- > 0) counts.set(s.c, counts.get(s.c)! + 1);
  for (const [c, n] of counts) for (let k = 0; k < n; k++) bad.push(c);
  bad.forEach((c, i) => {
    const m = makeBad(c, ctx, i);
    later.push({ phase: 2, topic: m.topic, key: m.key, value: m.value, category: c, variant: m.variant, rejectedBy: m.rejectedBy });
  });

  const ordered = [...setup, ...rng.shuffle(later)];
  const messages = ordered.map((d, seq): Planned => ({
    ...d,
    seq,
    partition: d.key === null ? rng.int(0, options.partitions - 1) : partitionOf(d.key, options.partitions),
  }));
  return { options, tag, fuzz, twin, ghosts, patients, messages };
}

/**
 * The cases the bad messages need, whatever the seed draws: a set-up death through the registry
 * and one published directly (duplicates copy them), and a patient who never dies (bad deaths
 * aim at them).
 */
function forceCases(ps: ExpectedPatient[]): ExpectedPatient[] {
  const [a, b, c] = ps;
  const at = (p: ExpectedPatient, days: number) => new Date(Date.parse(`${p.randomisedOn}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  Object.assign(a, { death: a.death ?? at(a, 200), route: 'registry', deathEarly: true, early: true });
  Object.assign(b, { death: b.death ?? at(b, 300), route: 'direct', deathEarly: true, early: true });
  Object.assign(c, { death: null, route: null, deathEarly: false });
  return ps;
}

export { BAD_CATEGORIES };
