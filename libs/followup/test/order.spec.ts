import fc from 'fast-check';
import { addDays } from '@trial/contracts';
import { deriveFollowUp, replay, type Completeness, type FollowupEvent } from '../src';
import * as facts from './given';

/**
 * Enrolments and outcomes travel on different topics, so the projector may see them
 * interleaved in any way; within enrolments the order is fixed (one key). Registry records
 * carry versions, so their events may come in any order too. The follow-up must not depend on it.
 */
const date = fc.integer({ min: 0, max: 9 * 365 }).map((d) => addDays('2005-06-01', d));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });

const deathHistory = fc.record({ linked: date, amended: maybe(date), withdrawn: fc.boolean() });
const trip = fc.record({ embarked: date, reEntered: maybe(date) });

const history = fc
  .record({
    randomisedOn: date,
    chi: fc.boolean(),
    nhs: fc.boolean(),
    correction: maybe(fc.constantFrom<'drop-nhs' | 'add-nhs'>('drop-nhs', 'add-nhs')),
    visits: fc.array(date, { maxLength: 4 }),
    withdrawal: maybe(date),
    deaths: fc.array(deathHistory, { maxLength: 3 }),
    trips: fc.array(trip, { maxLength: 2 }),
    noTrace: fc.boolean(),
  })
  .map((h) => {
    const enrolments: FollowupEvent[] = [
      facts.randomised({ on: h.randomisedOn, nhsNumber: h.nhs || !h.chi ? '9434765919' : null, chiNumber: h.chi ? '0302411234' : null }),
      ...h.visits.map(facts.seenAlive),
      ...(h.correction === 'drop-nhs'
        ? [facts.corrected({ nhsNumber: null })]
        : h.correction === 'add-nhs'
          ? [facts.corrected({ nhsNumber: '9434765870' })]
          : []),
      ...(h.withdrawal ? [facts.withdrew(h.withdrawal)] : []),
    ];
    const outcomes: FollowupEvent[] = [
      ...h.deaths.flatMap((d, i) => [
        facts.deathLinked(`D${i}`, d.linked, 1, i % 2 ? 'NRS' : 'ONS'),
        ...(d.amended ? [facts.deathAmended(`D${i}`, d.amended, 2, i % 2 ? 'NRS' : 'ONS')] : []),
        ...(d.withdrawn ? [facts.deathWithdrawn(`D${i}`, 3, 'cancelled', i % 2 ? 'NRS' : 'ONS')] : []),
      ]),
      ...h.trips.flatMap((t, i) => [facts.embarked(`E${i}`, t.embarked), ...(t.reEntered ? [facts.reEntered(`R${i}`, t.reEntered)] : [])]),
      ...(h.noTrace ? [facts.noTrace()] : []),
    ];
    return { enrolments, outcomes };
  });

const completeness: fc.Arbitrary<Completeness> = fc.record({ ONS: date, NRS: date }, { requiredKeys: [] });
const options = fc.record({ dataCutoff: date }, { requiredKeys: [] });

/** Any merge of the two lists that keeps each list's own order. */
function interleave<T>(a: readonly T[], b: readonly T[], picks: readonly boolean[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  for (const pickA of picks) {
    if (i >= a.length || j >= b.length) break;
    out.push(pickA ? a[i++] : b[j++]);
  }
  return [...out, ...a.slice(i), ...b.slice(j)];
}

const scenario = fc
  .record({ h: history, completeness, options, picks: fc.array(fc.boolean(), { maxLength: 20 }), seed: fc.integer() })
  .chain((s) => fc.shuffledSubarray(s.h.outcomes, { minLength: s.h.outcomes.length }).map((shuffled) => ({ ...s, shuffled })));

describe('event order independence (property)', () => {
  it('given any interleaving of the topics and any order of record versions, when derived, then the follow-up is the same', () => {
    fc.assert(
      fc.property(scenario, ({ h, completeness, options, picks, shuffled }) => {
        const canonical = replay([...h.enrolments, ...h.outcomes]);
        const arrived = replay(interleave(h.enrolments, shuffled, picks));
        expect(arrived).toEqual(canonical);
        expect(deriveFollowUp(arrived, completeness, options)).toEqual(deriveFollowUp(canonical, completeness, options));
      }),
      { numRuns: 500 },
    );
  });

  it('given every event delivered twice, when derived, then the follow-up is the same as once', () => {
    fc.assert(
      fc.property(scenario, ({ h, completeness, options }) => {
        const once = replay([...h.enrolments, ...h.outcomes]);
        const twice = replay([...h.enrolments, ...h.outcomes, ...h.outcomes, ...h.enrolments]);
        expect(deriveFollowUp(twice, completeness, options)).toEqual(deriveFollowUp(once, completeness, options));
      }),
      { numRuns: 300 },
    );
  });

  it('given events admitted through decide in any order after randomisation, when derived, then refusals change nothing', () => {
    fc.assert(
      fc.property(scenario, ({ h, completeness, options, picks, shuffled }) => {
        const [first, ...rest] = h.enrolments;
        const { state } = facts.admitAll([first, ...interleave(rest, shuffled, picks)]);
        expect(deriveFollowUp(state, completeness, options)).toEqual(deriveFollowUp(replay([...h.enrolments, ...h.outcomes]), completeness, options));
      }),
      { numRuns: 500 },
    );
  });

  it('given any history, when derived, then time is never negative and the end respects the data cutoff', () => {
    fc.assert(
      fc.property(scenario, ({ h, completeness, options }) => {
        const r = deriveFollowUp(replay([...h.enrolments, ...h.outcomes]), completeness, options);
        if (!r.ok) throw new Error(r.error.reason);
        const f = r.value;
        expect(f.time).toBeGreaterThanOrEqual(0);
        expect(f.analysisDate >= f.randomisedOn).toBe(true);
        expect(f.status === 1).toBe(f.cnsr === 0);
        if (options.dataCutoff !== undefined) expect(f.endDate <= options.dataCutoff).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
