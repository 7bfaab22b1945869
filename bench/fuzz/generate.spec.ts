import { isRealDate } from '@trial/contracts';
import { murmur2 } from '../../libs/ingest/src/partitioner';
import { reviewIdOf } from '../../libs/linkage-service/src/ids';
import { generate } from './generate';
import { BAD_CATEGORIES, BadCategory, decodes, Planned } from './plan';

const opts = { seed: 4242, bad: 2000, patients: 16, partitions: 3 };
const plan = generate(opts);
const of = (c: string) => plan.messages.filter((m) => m.category === c);
const parsed = (m: Planned) => JSON.parse(m.value!.toString('utf8')) as Record<string, unknown>;
const parses = (m: Planned) => {
  try {
    parsed(m);
    return true;
  } catch {
    return false;
  }
};

describe('fuzz generator', () => {
  it('is a pure function of its options: the same seed gives the same bytes, another seed others', () => {
    const again = generate(opts);
    const flat = (p: typeof plan) =>
      p.messages.map((m) => [
        m.seq,
        m.phase,
        m.topic,
        m.partition,
        m.key?.toString('hex') ?? null,
        m.value?.toString('hex') ?? null,
        m.category,
        m.variant,
      ]);
    expect(flat(again)).toEqual(flat(plan));
    const other = generate({ ...opts, seed: 4243 });
    expect(other.messages.filter((m) => m.category !== 'valid').map((m) => m.value?.toString('hex'))).not.toEqual(
      plan.messages.filter((m) => m.category !== 'valid').map((m) => m.value?.toString('hex')),
    );
  });

  it('makes exactly the bad messages asked for, every category among them, and 10,000 for the full form', () => {
    expect(plan.messages.filter((m) => m.category !== 'valid')).toHaveLength(2000);
    for (const c of BAD_CATEGORIES) expect(of(c).length).toBeGreaterThan(0);
    expect(of('oversized')).toHaveLength(4);
    const full = generate({ seed: 1, bad: 10_000, patients: 40, partitions: 6 });
    expect(full.messages.filter((m) => m.category !== 'valid')).toHaveLength(10_000);
    expect(full.messages.filter((m) => m.category === 'oversized')).toHaveLength(20);
  });

  it('puts keyed messages where the Java partitioner would, and the set-up phase first, valid only', () => {
    for (const m of plan.messages) {
      expect(m.partition).toBeGreaterThanOrEqual(0);
      expect(m.partition).toBeLessThan(opts.partitions);
      if (m.key) expect(m.partition).toBe((murmur2(m.key) & 0x7fffffff) % opts.partitions);
    }
    const phases = plan.messages.map((m) => m.phase);
    expect(phases.indexOf(2)).toBe(phases.lastIndexOf(1) + 1);
    expect(plan.messages.filter((m) => m.phase === 1).every((m) => m.category === 'valid')).toBe(true);
  });

  it('valid messages pass their topic schema, do something checkable, and come in equal numbers for the trial and its twin', () => {
    const valid = of('valid');
    for (const m of valid) {
      expect(decodes(m.topic, m.value)).toBe(true);
      expect(m.effect).toBeDefined();
    }
    const count = (trialId: string) => valid.filter((m) => m.effect && 'trialId' in m.effect && m.effect.trialId === trialId).length;
    expect(count(plan.fuzz.trialId)).toBeGreaterThan(plan.patients.length);
    expect(count(plan.twin.trialId)).toBe(count(plan.fuzz.trialId) - 0);
    // Every republished one is byte for byte a set-up message.
    const setup = new Set(plan.messages.filter((m) => m.phase === 1).map((m) => m.value!.toString('hex')));
    const republished = valid.filter((m) => m.variant.endsWith('republished'));
    expect(republished.length).toBeGreaterThan(0);
    for (const m of republished) expect(setup.has(m.value!.toString('hex'))).toBe(true);
  });

  it('rejects, in the fuzz phase, the review the linkage service opens (under the given scope) for a death before randomisation', () => {
    const scoped = generate({ ...opts, scope: 'fz-test-' });
    const decisions = scoped.messages.filter((m) => m.category === 'valid' && m.topic === 'reviews');
    expect(decisions).toHaveLength(2);
    for (const d of decisions) {
      const v = parsed(d);
      const record = scoped.messages
        .filter((m) => m.phase === 1 && m.topic === 'notifications')
        .map(parsed)
        .find((r) => r.recordId === `${String(v.eventId).replace(/-review-rejected$/, '')}-${scoped.patients[2].patientId}-RV`)!;
      expect(String(record.dateOfDeath) < scoped.patients[2].randomisedOn).toBe(true);
      const trialId = String(v.eventId).replace(/-review-rejected$/, '');
      expect(v.reviewId).toBe(reviewIdOf('fz-test-', 'ONS', String(record.recordId), 1, trialId));
      expect(v.decision).toBe('reject');
      expect(d.phase).toBe(2);
    }
  });

  it('gives the twin other people than the fuzzed trial (no shared NHS number, surname or date of birth)', () => {
    const f = [...plan.fuzz.people.values()];
    const t = [...plan.twin.people.values()];
    for (const key of ['nhsNumber', 'familyName', 'dateOfBirth'] as const) {
      const mine = new Set(f.map((p) => p[key]));
      expect(t.some((p) => mine.has(p[key]))).toBe(false);
    }
  });

  const failsSchema = (c: BadCategory) =>
    it(`${c}: every one fails its topic's schema`, () => {
      for (const m of of(c)) expect(decodes(m.topic, m.value)).toBe(false);
    });
  for (const c of [
    'random-bytes',
    'oversized',
    'invalid-json',
    'wrong-schema',
    'unknown-type',
    'unknown-version',
    'impossible-date',
    'null-values',
  ] as const)
    failsSchema(c);

  it('random-bytes: 1 B to 200 KB, some of them not UTF-8 and some over 64 KB', () => {
    const ms = of('random-bytes');
    for (const m of ms) {
      expect(m.value!.length).toBeGreaterThanOrEqual(1);
      expect(m.value!.length).toBeLessThanOrEqual(200_000);
    }
    const notUtf8 = ms.filter((m) => !Buffer.from(m.value!.toString('utf8'), 'utf8').equals(m.value!));
    expect(notUtf8.length).toBeGreaterThan(ms.length / 2);
    expect(ms.some((m) => m.value!.length > 65_536)).toBe(true);
  });

  it("oversized: 500 KB to 900 KB, under the broker's 1 MB, spread over the four topics", () => {
    for (const m of of('oversized')) {
      expect(m.value!.length).toBeGreaterThanOrEqual(500_000);
      expect(m.value!.length).toBeLessThanOrEqual(900_000);
    }
    expect(new Set(of('oversized').map((m) => m.topic)).size).toBe(4);
    expect(of('oversized').some((m) => m.key?.includes(0))).toBe(true);
  });

  it('invalid-json: none parses as JSON', () => {
    for (const m of of('invalid-json')) expect(parses(m)).toBe(false);
  });

  it('wrong-schema: JSON, of the wrong shape', () => {
    for (const m of of('wrong-schema')) expect(parses(m)).toBe(true);
  });

  it('unknown-type: a type (or kind) the topic does not have', () => {
    const known = new Set([
      'TrialRegistered',
      'PatientRandomised',
      'PatientDetailsCorrected',
      'PatientSeenAlive',
      'ConsentWithdrawn',
      'DeathLinked',
      'DeathAmended',
      'DeathWithdrawn',
      'Embarked',
      'ReEntered',
      'NoTraceFlagged',
      'DeathConflictFlagged',
      'LinkageReviewRequested',
      'RegistryExtractCompleted',
      'ReviewDecided',
      'death',
      'death-cancelled',
      'embarkation',
      're-entry',
      'no-trace',
      'extract-complete',
    ]);
    for (const m of of('unknown-type')) {
      const v = parsed(m);
      expect(known.has(String(m.topic === 'notifications' ? v.kind : v.type))).toBe(false);
    }
  });

  it('unknown-version: v is not 1 (absent, another small number, or not a number)', () => {
    for (const m of of('unknown-version')) {
      const v = parsed(m).v;
      expect(v).not.toBe(1);
      if (typeof v === 'number') expect(Math.abs(v)).toBeLessThan(2 ** 31);
    }
  });

  it('impossible-date: a date that is not on the calendar, or a death before birth', () => {
    const dateFields = ['randomisedOn', 'dateOfBirth', 'seenOn', 'extractedOn', 'dateOfDeath', 'dateOfRegistration', 'completeUpTo'];
    for (const m of of('impossible-date')) {
      const v = parsed(m);
      const unreal = dateFields.some((f) => typeof v[f] === 'string' && !isRealDate(v[f] as string));
      const beforeBirth = typeof v.dateOfDeath === 'string' && typeof v.dateOfBirth === 'string' && v.dateOfDeath < v.dateOfBirth;
      expect(unreal || beforeBirth).toBe(true);
    }
  });

  it('out-of-range-version: v or the record version past a 32-bit integer', () => {
    const ms = of('out-of-range-version');
    for (const m of ms) {
      const v = parsed(m);
      const big = (x: unknown) => typeof x === 'number' && Math.abs(x) >= 2 ** 31;
      expect(big(v.v) || big(v.version)).toBe(true);
    }
    expect(ms.some((m) => parsed(m).version === 3_000_000_000 || parsed(m).v === 3_000_000_000)).toBe(true);
    for (const topic of ['notifications', 'outcomes']) expect(ms.some((m) => m.topic === topic && Number(parsed(m).version) >= 2 ** 31)).toBe(true);
  });

  it('null-values: a null key, and a null value, JSON null or required fields null', () => {
    for (const m of of('null-values')) {
      expect(m.key).toBeNull();
      if (m.value === null) continue;
      const v = JSON.parse(m.value.toString('utf8')) as Record<string, unknown> | null;
      expect(v === null || Object.values(v).some((x) => x === null)).toBe(true);
    }
    expect(of('null-values').some((m) => m.value === null)).toBe(true);
  });

  it('nul-in-text: U+0000 inside a string (which no Postgres text or jsonb can hold), so decode refuses it', () => {
    for (const m of of('nul-in-text')) {
      expect(decodes(m.topic, m.value)).toBe(false);
      expect(Object.values(parsed(m)).some((x) => typeof x === 'string' && x.includes('\u0000'))).toBe(true);
    }
  });

  it('long-field: an otherwise valid message with an id of 1 to 100 KB', () => {
    for (const m of of('long-field')) {
      const longest = Math.max(...Object.values(parsed(m)).map((x) => (typeof x === 'string' ? x.length : 0)));
      expect(longest).toBeGreaterThan(1_000);
      expect(longest).toBeLessThan(100_300);
    }
  });

  it('future-completeness: schema-valid extract-complete messages whose completeUpTo is after their extract date', () => {
    for (const m of of('future-completeness')) {
      expect(m.topic).toBe('notifications');
      expect(decodes(m.topic, m.value)).toBe(true);
      const v = parsed(m);
      expect(v.kind).toBe('extract-complete');
      expect(String(v.completeUpTo) > String(v.extractedOn)).toBe(true);
    }
  });

  const setup = plan.messages.filter((m) => m.phase === 1);
  it('duplicate-id: schema-valid, the event id (or record id and version) of a set-up message, other content', () => {
    for (const m of of('duplicate-id')) {
      expect(decodes(m.topic, m.value)).toBe(true);
      const v = parsed(m);
      const same = setup
        .filter((s) => s.topic === m.topic)
        .filter((s) => {
          const o = parsed(s);
          return v.eventId !== undefined ? o.eventId === v.eventId : o.recordId === v.recordId && o.version === v.version;
        });
      expect(same).toHaveLength(1);
      expect(same[0].value!.equals(m.value!)).toBe(false);
    }
  });

  it('conflicting-randomisation: schema-valid, a set-up patient randomised again into the other arm under a new event id', () => {
    for (const m of of('conflicting-randomisation')) {
      expect(decodes(m.topic, m.value)).toBe(true);
      const v = parsed(m);
      const first = setup.map(parsed).find((o) => o.type === 'PatientRandomised' && o.trialId === v.trialId && o.patientId === v.patientId)!;
      expect(first).toBeDefined();
      expect(v.eventId).not.toBe(first.eventId);
      expect(v.arm).not.toBe(first.arm);
    }
  });

  it('unregistered-trial: schema-valid outcome events of a trial no message registers', () => {
    const registered = new Set(
      of('valid')
        .map(parsed)
        .filter((v) => v.type === 'TrialRegistered')
        .map((v) => v.trialId),
    );
    for (const m of of('unregistered-trial')) {
      expect(m.topic).toBe('outcomes');
      expect(decodes(m.topic, m.value)).toBe(true);
      expect(registered.has(parsed(m).trialId)).toBe(false);
    }
  });

  it('unknown-review: schema-valid decisions on reviews that do not exist', () => {
    for (const m of of('unknown-review')) {
      expect(m.topic).toBe('reviews');
      expect(decodes(m.topic, m.value)).toBe(true);
      expect(String(parsed(m).reviewId)).toContain('no-such-review');
    }
  });
});
