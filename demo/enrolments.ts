import { EnrollmentMessage, enrollmentKey, noPlans } from '@trial/contracts';
import { TRIAL_ID } from './cohort';
import { regionOf } from './places';
import { seededUuid } from './prng';
import { World } from './world';

/** One line of enrollments.jsonl: the Kafka key and value, and the civil date it happened on. */
export interface EnrolmentLine {
  on: string;
  key: string;
  event: EnrollmentMessage;
}

export const REGISTERED_ON = '2005-11-21';

const ORDER: Record<EnrollmentMessage['type'], number> = {
  TrialRegistered: 0,
  PatientRandomised: 1,
  PatientDetailsCorrected: 2,
  PatientSeenAlive: 3,
  ConsentWithdrawn: 4,
  InterimLookTaken: 5,
};

export function enrolmentLines(world: World): EnrolmentLine[] {
  const id = (key: string): string => seededUuid(world.seed, key);
  const lines: Array<Omit<EnrolmentLine, 'key'>> = [
    {
      on: REGISTERED_ON,
      event: {
        v: 2,
        type: 'TrialRegistered',
        eventId: id('TrialRegistered'),
        trialId: TRIAL_ID,
        title: 'Balloon Pump-Assisted Coronary Intervention Study',
        arms: ['control', 'IABP'],
        referenceArm: 'control',
        plannedEvents: 100,
        alpha: 0.05,
        sided: 2,
        looks: [0.25, 0.5, 0.75, 1.0],
        spending: 'obrien-fleming',
        // v2's analysis plan (issue 15): randomisation stratified by region; sex, age 75 and over
        // and region as prespecified subgroups; cardiovascular death as an endpoint beside all-cause.
        ...noPlans(),
        stratificationFactors: ['region'],
        subgroups: [
          { variable: 'sex', from: 'sex' },
          { variable: 'age75', from: 'age', cuts: [75] },
          { variable: 'region', from: 'stratum' },
        ],
        endpoints: [{ code: 'CVDEATH', name: 'Cardiovascular death', icd10: [{ from: 'I00', to: 'I99' }] }],
      },
    },
  ];
  for (const p of world.patients) {
    lines.push({
      on: p.randomisedOn,
      event: {
        v: 2,
        type: 'PatientRandomised',
        eventId: id(`PatientRandomised:${p.patientId}`),
        trialId: TRIAL_ID,
        patientId: p.patientId,
        arm: p.arm,
        randomisedOn: p.randomisedOn,
        site: p.site,
        nhsNumber: p.nhsNumber,
        chiNumber: p.chiNumber,
        dateOfBirth: p.dateOfBirth,
        sex: p.sex,
        familyName: p.familyName,
        givenNames: p.givenNames,
        postcode: p.postcode,
        strata: { region: regionOf(p.site) },
        covariates: {},
      },
    });
    const f = world.fates.get(p.patientId);
    for (const seenOn of f?.seenAlive ?? []) {
      lines.push({
        on: seenOn,
        event: {
          v: 1,
          type: 'PatientSeenAlive',
          eventId: id(`PatientSeenAlive:${p.patientId}:${seenOn}`),
          trialId: TRIAL_ID,
          patientId: p.patientId,
          seenOn,
        },
      });
    }
    if (f?.withdrawnOn) {
      lines.push({
        on: f.withdrawnOn,
        event: {
          v: 1,
          type: 'ConsentWithdrawn',
          eventId: id(`ConsentWithdrawn:${p.patientId}`),
          trialId: TRIAL_ID,
          patientId: p.patientId,
          effectiveOn: f.withdrawnOn,
        },
      });
    }
  }
  const patientOf = (e: EnrollmentMessage): string => (e.type === 'TrialRegistered' || e.type === 'InterimLookTaken' ? '' : e.patientId);
  return lines
    .sort((a, b) =>
      a.on < b.on ? -1 : a.on > b.on ? 1 : ORDER[a.event.type] - ORDER[b.event.type] || patientOf(a.event).localeCompare(patientOf(b.event)),
    )
    .map((l) => ({ on: l.on, key: enrollmentKey(l.event), event: l.event }));
}
