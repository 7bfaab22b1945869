import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnrollmentEvent, enrollmentEvent, upcast } from '@trial/contracts';
import { deriveFollowUp, FollowupEvent, replay } from '@trial/followup';
import { enrolmentLines } from './enrolments';
import { FINAL_COMPLETE } from './fates';
import { DEMO_SEED } from './generate';
import { RegistryRow } from './registry';
import { buildWorld } from './world';

/**
 * The ground truth in expected.json is worked out by demo/truth.ts; this checks that the
 * pipeline's own follow-up rules (libs/followup), fed a perfect linkage of the same extracts,
 * reach the same (time, status) for every patient. A disagreement means one side misreads feeds.md.
 */
const evidence = { method: 'clerical' as const, modelVersion: 'demo-truth', weight: null, fields: {} };

function outcome(r: RegistryRow, extractedOn: string, n: number): FollowupEvent {
  const base = {
    v: 1 as const,
    eventId: `truth-${n}`,
    trialId: 'BCIS-1',
    patientId: r.patientId as string,
    occurredAt: `${extractedOn}T00:00:00Z`,
    source: r.source,
    recordId: r.recordId,
    version: r.version,
  };
  switch (r.kind) {
    case 'death':
      return r.version === 1
        ? { ...base, type: 'DeathLinked', dateOfDeath: r.dateOfDeath as string, underlyingCause: r.underlyingCause, evidence }
        : { ...base, type: 'DeathAmended', dateOfDeath: r.dateOfDeath as string, underlyingCause: r.underlyingCause };
    case 'death-cancelled':
      return { ...base, type: 'DeathWithdrawn', reason: 'cancelled' };
    case 'embarkation':
      return { ...base, type: 'Embarked', eventDate: r.eventDate as string };
    case 're-entry':
      return { ...base, type: 'ReEntered', eventDate: r.eventDate as string };
    case 'no-trace':
      return { ...base, type: 'NoTraceFlagged' };
  }
}

const isPatientEvent = (e: EnrollmentEvent): e is Exclude<EnrollmentEvent, { type: 'TrialRegistered' | 'InterimLookTaken' }> =>
  e.type !== 'TrialRegistered' && e.type !== 'InterimLookTaken';

describe('demo ground truth agrees with libs/followup', () => {
  it('gives every patient the same time and status', () => {
    const world = buildWorld(DEMO_SEED);
    const streams = new Map<string, FollowupEvent[]>();
    const add = (id: string, e: FollowupEvent): void => void streams.set(id, [...(streams.get(id) ?? []), e]);
    // Read the lines as consumers do (upcast, then the schema): the demo writes v2 events now.
    for (const l of enrolmentLines(world)) {
      const e = enrollmentEvent.parse(upcast(l.event));
      if (isPatientEvent(e)) add(e.patientId, e);
    }
    let n = 0;
    const ordered = [...world.extracts].sort((a, b) => (a.extractedOn < b.extractedOn ? -1 : 1));
    for (const e of ordered) for (const r of e.rows) if (r.patientId) add(r.patientId, outcome(r, e.extractedOn, n++));
    const completeness = { ONS: FINAL_COMPLETE, NRS: FINAL_COMPLETE };

    const expected = JSON.parse(readFileSync(join(__dirname, 'data', 'expected.json'), 'utf8')) as {
      patients: Array<{ patientId: string; time: number; status: number }>;
    };
    const derived = expected.patients.map((p) => {
      const f = deriveFollowUp(replay(streams.get(p.patientId) ?? []), completeness);
      if (!f.ok) throw new Error(f.error.reason);
      return { patientId: p.patientId, time: f.value.time, status: f.value.status };
    });
    expect(derived).toEqual(expected.patients.map((p) => ({ patientId: p.patientId, time: p.time, status: p.status })));
  });
});
