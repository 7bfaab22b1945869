import { noPlans } from '@trial/contracts';
import type { EnrollmentEvent, OutcomeEvent } from '@trial/contracts';
import { nhsNumberFrom } from '../../../apps/cli/src/demo/small-trial';

/**
 * A small two-arm trial for the read-out suite, with the cases a read-out must get right: deaths, an
 * amendment, a cancellation, an embarkation, a consent withdrawal, a no-trace patient, an
 * outcome that overtakes its randomisation, a duplicate delivery and ONS extract-complete.
 */
export function nhs(seed: number): string {
  return nhsNumberFrom(500_000_000 + seed * 7919);
}

export function trialEvents(trialId: string) {
  const ev = (id: string) => `${trialId}:${id}`;
  const registered: EnrollmentEvent = {
    v: 2,
    type: 'TrialRegistered',
    ...noPlans(),
    eventId: ev('reg'),
    trialId,
    title: 'Read-out suite trial',
    arms: ['control', 'IABP'],
    referenceArm: 'control',
    plannedEvents: 8,
    alpha: 0.05,
    sided: 2,
    looks: [0.5, 0.75, 1],
    spending: 'obrien-fleming',
  };
  const randomised = (i: number): EnrollmentEvent => ({
    v: 2,
    type: 'PatientRandomised',
    strata: {},
    covariates: {},
    eventId: ev(`rand-${i}`),
    trialId,
    patientId: `P${i}`,
    arm: i % 2 === 0 ? 'control' : 'IABP',
    randomisedOn: `2007-${String((i % 12) + 1).padStart(2, '0')}-1${i % 10}`,
    site: i % 3 === 0 ? 'KCH' : 'BHI',
    nhsNumber: i === 11 ? null : nhs(i),
    chiNumber: i === 11 ? `01${String(i).padStart(8, '0')}` : null,
    dateOfBirth: '1945-06-01',
    sex: 'M',
    familyName: 'Test',
    givenNames: 'Patient',
    postcode: null,
  });
  const base = (type: string, i: number, id: string) => ({
    v: 1 as const,
    type,
    eventId: ev(id),
    trialId,
    patientId: `P${i}`,
    occurredAt: '2011-01-05T10:00:00Z',
  });
  const ref = (recordId: string, version: number) => ({ source: 'ONS' as const, recordId: `${trialId}-${recordId}`, version });
  const evidence = { method: 'deterministic' as const, modelVersion: 'test', weight: null, fields: {} };
  const death = (i: number, date: string, rec = `D${i}`): OutcomeEvent => ({
    ...base('DeathLinked', i, `death-${i}`),
    type: 'DeathLinked',
    ...ref(rec, 1),
    dateOfDeath: date,
    underlyingCause: 'I21.9',
    evidence,
  });
  const extract = (upTo: string): OutcomeEvent => ({
    v: 1,
    type: 'RegistryExtractCompleted',
    eventId: ev(`ons-${upTo}`),
    occurredAt: '2011-01-05T10:00:00Z',
    source: 'ONS',
    completeUpTo: upTo,
  });

  const enrolments = [registered, ...Array.from({ length: 14 }, (_, k) => randomised(k + 1))].filter(
    (e) => !(e.type === 'PatientRandomised' && e.patientId === 'P14'),
  );
  const early: { enrolments: EnrollmentEvent[]; outcomes: OutcomeEvent[] } = {
    enrolments: [
      ...enrolments,
      { v: 1, type: 'ConsentWithdrawn', eventId: ev('withdraw-5'), trialId, patientId: 'P5', effectiveOn: '2008-09-30' },
      { v: 1, type: 'PatientSeenAlive', eventId: ev('seen-9'), trialId, patientId: 'P9', seenOn: '2009-04-01' },
    ],
    outcomes: [
      death(1, '2008-05-01'),
      death(2, '2008-03-10'),
      death(4, '2009-01-20'),
      death(6, '2008-11-11'),
      death(7, '2009-06-06'),
      death(1, '2008-05-01'), // the same event again (same eventId): counted once
      { ...base('Embarked', 3, 'embark-3'), type: 'Embarked', ...ref('E3', 1), eventDate: '2008-07-01' },
      { ...base('NoTraceFlagged', 9, 'notrace-9'), type: 'NoTraceFlagged', ...ref('N9', 1) },
      extract('2010-06-30'),
    ],
  };
  const late: { enrolments: EnrollmentEvent[]; outcomes: OutcomeEvent[] } = {
    outcomes: [
      { ...base('DeathAmended', 4, 'amend-4'), type: 'DeathAmended', ...ref('D4', 2), dateOfDeath: '2008-12-24', underlyingCause: 'I21.0' },
      { ...base('DeathWithdrawn', 6, 'cancel-6'), type: 'DeathWithdrawn', ...ref('D6', 2), reason: 'cancelled' },
      death(8, '2009-02-02'),
      death(10, '2010-01-15'),
      death(12, '2009-09-09'),
      death(14, '2009-10-10'), // overtakes P14's randomisation: parked until it arrives
      extract('2010-12-31'),
    ],
    enrolments: [randomised(14)],
  };
  return {
    early,
    late,
    earlyCount: early.enrolments.length + early.outcomes.length - 2,
    lateCount: late.enrolments.length + late.outcomes.length - 1,
  };
}
