import { noPlans } from '@trial/contracts';
// The benchmarks' deterministic workload (bench:pipeline, bench/replay.ts): trials, then per
// patient a randomisation and some follow-up events, in a fixed order from a tag.
import type { EnrollmentEvent, OutcomeEvent } from '@trial/contracts';

export const TRIALS = 20;

/** Deterministic workload: trials, then per patient a randomisation and some follow-up events. */
export class Workload {
  private patients = 0;
  private seq = 0;
  /** Per patient, the version of its death record last sent. */
  private readonly deathVersion = new Map<number, number>();
  constructor(private readonly tag: string) {}

  registrations(): EnrollmentEvent[] {
    return Array.from({ length: TRIALS }, (_, t) => ({
      v: 2,
      type: 'TrialRegistered',
      ...noPlans(),
      eventId: `${this.tag}-reg-${t}`,
      trialId: `${this.tag}-T${t}`,
      title: 'bench',
      arms: ['control', 'active'],
      referenceArm: 'control',
      plannedEvents: 100_000,
      alpha: 0.05,
      sided: 2,
      looks: [0.5, 1],
      spending: 'obrien-fleming',
    }));
  }

  /** The i-th event of the stream: 50% randomisations, 30% deaths, 20% visits (of earlier patients). */
  next(): { topic: 'enrollments' | 'outcomes'; key: string; value: EnrollmentEvent | OutcomeEvent } {
    const i = this.seq++;
    const kind = i % 10;
    if (kind < 5 || this.patients < 10) {
      const p = this.patients++;
      const trialId = `${this.tag}-T${p % TRIALS}`;
      const day = 1 + (p % 28);
      return {
        topic: 'enrollments',
        key: `${trialId}:P${p}`,
        value: {
          v: 2,
          type: 'PatientRandomised',
          strata: {},
          covariates: {},
          eventId: `${this.tag}-r-${p}`,
          trialId,
          patientId: `P${p}`,
          arm: p % 2 ? 'active' : 'control',
          randomisedOn: `20${String(6 + (p % 4)).padStart(2, '0')}-${String(1 + (p % 12)).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
          site: `S${p % 17}`,
          nhsNumber: String(9_000_000_000 + p),
          chiNumber: null,
          dateOfBirth: '1950-01-01',
          sex: 'U',
          familyName: 'Bench',
          givenNames: 'B',
          postcode: null,
        },
      };
    }
    const p = (i * 7919) % this.patients;
    const trialId = `${this.tag}-T${p % TRIALS}`;
    if (kind < 8) {
      return {
        topic: 'outcomes',
        key: `${trialId}:P${p}`,
        value: {
          v: 1,
          type: 'DeathLinked',
          eventId: `${this.tag}-d-${i}`,
          trialId,
          patientId: `P${p}`,
          occurredAt: '2012-01-01T00:00:00Z',
          source: 'ONS',
          recordId: `${this.tag}-R${p}`,
          version: this.nextDeathVersion(p),
          dateOfDeath: `2011-${String(1 + (i % 12)).padStart(2, '0')}-15`,
          underlyingCause: null,
          evidence: { method: 'deterministic', modelVersion: 'bench', weight: null, fields: {} },
        },
      };
    }
    return {
      topic: 'enrollments',
      key: `${trialId}:P${p}`,
      value: {
        v: 1,
        type: 'PatientSeenAlive',
        eventId: `${this.tag}-s-${i}`,
        trialId,
        patientId: `P${p}`,
        seenOn: `2010-${String(1 + (i % 12)).padStart(2, '0')}-01`,
      },
    };
  }

  /**
   * A record's version never goes back, as the linkage service sends them: the projector refuses
   * one that does (version-regressed), and a workload of refusals measures the dead-letter path
   * (a batch re-run a message at a time) rather than the projection.
   */
  private nextDeathVersion(p: number): number {
    const v = (this.deathVersion.get(p) ?? 0) + 1;
    this.deathVersion.set(p, v);
    return v;
  }
}
