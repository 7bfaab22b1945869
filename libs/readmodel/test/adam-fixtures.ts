import type { TrialRegistered } from '@trial/contracts';
import { deriveFollowUp, replay, type FollowUp, type FollowupEvent } from '@trial/followup';
import { CVDEATH, registeredTrial } from '../../../test/support/events';

/** A trial with region strata, sex and age-band subgroups and a CVDEATH endpoint (TrialRegistered v2). */
export const design: TrialRegistered = registeredTrial('T1', 'T1', {
  eventId: 'e0',
  stratificationFactors: ['region'],
  subgroups: [
    { variable: 'sex', from: 'sex' },
    { variable: 'age75', from: 'age', cuts: [75] },
  ],
  endpoints: [CVDEATH],
});

export interface Person {
  id: string;
  arm?: string;
  on?: string;
  born?: string;
  sex?: 'M' | 'F' | 'U';
  region?: string;
  death?: { on: string; cause: string | null };
  seen?: string;
}

/** One patient's follow-up, through evolve and deriveFollowUp as the read models do. */
export function followUp(p: Person, completeUpTo = '2011-09-30', dataCutoff?: string): FollowUp {
  const base = { v: 2 as const, trialId: 'T1', patientId: p.id };
  const events: FollowupEvent[] = [
    {
      ...base,
      type: 'PatientRandomised',
      eventId: `r-${p.id}`,
      arm: p.arm ?? 'IABP',
      randomisedOn: p.on ?? '2006-03-14',
      site: 'KCH',
      nhsNumber: '9434765919',
      chiNumber: null,
      dateOfBirth: p.born ?? '1941-02-03',
      sex: p.sex ?? 'M',
      familyName: 'X',
      givenNames: 'Y',
      postcode: null,
      strata: p.region === undefined ? {} : { region: p.region },
      covariates: {},
    },
  ];
  if (p.seen) events.push({ ...base, v: 1, type: 'PatientSeenAlive', eventId: `s-${p.id}`, seenOn: p.seen });
  if (p.death) {
    events.push({
      ...base,
      v: 1,
      type: 'DeathLinked',
      eventId: `d-${p.id}`,
      occurredAt: '2011-10-03T09:00:00Z',
      source: 'ONS',
      recordId: `D-${p.id}`,
      version: 1,
      dateOfDeath: p.death.on,
      underlyingCause: p.death.cause,
      evidence: { method: 'deterministic', modelVersion: 'm', weight: null, fields: {} },
    });
  }
  const r = deriveFollowUp(replay(events), { ONS: completeUpTo }, { dataCutoff });
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
}
