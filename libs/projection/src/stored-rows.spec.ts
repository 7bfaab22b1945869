import { checkedRows, isCodedError, storedDesign, storedRows, StoredRowError } from '@trial/contracts';
import { deriveFollowUp, initialState, type PatientState } from '@trial/followup';
import { lookRow, parkedEvent, patientRowProblem, stateRow, storedTrialSnapshot } from './stored-rows';
import { z } from 'zod';
import { readoutChangedOf } from './rows';

// Rows as Postgres hands them back, malformed: each read boundary refuses them with a
// StoredRowError naming the table and column, never quoting what the row held.
const state: PatientState = {
  ...initialState,
  trialId: 'T1',
  patientId: 'P1',
  nhsNumber: '9434765919',
  randomisation: { eventId: 'e1', arm: 'A', site: 'S1', randomisedOn: '2020-01-02' },
  seenAlive: ['2020-02-01'],
};
const derived = deriveFollowUp(state, { ONS: '2021-01-01' });
if (!derived.ok) throw new Error('fixture: not randomised');
const followup = derived.value;
const row = { trial_id: 'T1', patient_id: 'P1', state, followup, guard: { seq: 1, randomisation: 'h' } };

function refusal(f: () => unknown): StoredRowError {
  try {
    f();
  } catch (e) {
    if (isCodedError(e, ['stored-row-invalid'])) return e as StoredRowError;
    throw e;
  }
  throw new Error('the row was not refused');
}

describe('stored rows are checked on their way out of Postgres', () => {
  it('a patient row as written reads back, the same object', () => {
    expect(checkedRows([row], patientRowProblem, { table: 'rm_patients' })).toEqual([row]);
  });

  it('a patient row whose state is not a PatientState is refused by the batch check, naming table and field, not the value', () => {
    const bad = { ...row, state: { ...state, seenAlive: 'SECRET-9434765919' } };
    const e = refusal(() => checkedRows([bad], patientRowProblem, { table: 'rm_patients' }));
    expect(e.code).toBe('stored-row-invalid');
    expect(e.message).toContain('rm_patients');
    expect(e.message).toContain('seenAlive');
    expect(e.message).not.toContain('9434765919');
  });

  it('a follow-up whose status is not 0 or 1 is refused by the batch check', () => {
    expect(
      refusal(() => checkedRows([{ ...row, followup: { ...followup, status: 2 } }], patientRowProblem, { table: 'rm_patients' })).message,
    ).toMatch(/rm_patients.*status/);
  });

  it('a state read in full (as-of reads) is refused for a record fact of no known kind', () => {
    const bad = { state: { ...state, records: { 'ONS:r1': { source: 'ONS', recordId: 'r1', version: 1, kind: 'alive' } } } };
    const e = refusal(() => storedRows(stateRow, [bad], { table: 'rm_patient_history', column: 'state' }));
    expect(e.message).toMatch(/^a stored row of rm_patient_history\.state cannot be read: state\.records\.ONS:r1\.kind/);
  });

  it('a state stored before date of birth, sex and strata were kept reads back as it was: the fields read as absent', () => {
    const { dateOfBirth: _d, sex: _s, ...old } = state;
    expect(storedRows(stateRow, [{ state: old }], { table: 'rm_patients', column: 'state' })).toEqual([{ state: old }]);
  });

  it('a snapshot whose arm lists are of different lengths is refused (fromSnapshot would walk past their ends)', () => {
    const snapshot = {
      trialId: 'T1',
      design: null,
      eventsApplied: 3,
      dataComplete: { ONS: '2021-01-01' },
      cohort: { arms: { A: { t: [10, 20], d: [1], c: [0, 1] } }, accrual: [], followUpDays: { A: 30 } },
    };
    expect(refusal(() => storedRows(storedTrialSnapshot, [snapshot], { table: 'rm_readouts', column: 'snapshot' })).message).toMatch(
      /rm_readouts\.snapshot.*cohort\.arms\.A.*one length/,
    );
    const good = { ...snapshot, cohort: { ...snapshot.cohort, arms: { A: { t: [10, 20], d: [1, 0], c: [0, 1] } } } };
    expect(storedRows(storedTrialSnapshot, [good], { table: 'rm_readouts', column: 'snapshot' })).toEqual([good]);
  });

  it('a stored design that is not a TrialRegistered is a StoredRowError of its column', () => {
    expect(refusal(() => storedDesign({ v: 2, type: 'TrialRegistered', trialId: 'T1' })).message).toMatch(/^a stored row of rm_trials\.design/);
  });

  it('a frozen look without its design, and a parked event that is not a patient event, are refused', () => {
    const e = refusal(() =>
      storedRows(
        lookRow,
        [
          {
            trial_id: 'T1',
            look: 1,
            event: {},
            design: null,
            report: null,
            unavailable: null,
            recorded_at: new Date(),
            closed: null,
          },
        ],
        { table: 'rm_looks' },
      ),
    );
    expect(e.message).toMatch(/^a stored row of rm_looks cannot be read/);
    const completed = {
      v: 1,
      type: 'RegistryExtractCompleted',
      eventId: 'x',
      occurredAt: '2020-01-01T00:00:00Z',
      source: 'ONS',
      completeUpTo: '2020-01-01',
    };
    expect(
      refusal(() => storedRows(z.object({ event: parkedEvent }), [{ event: completed }], { table: 'rm_parked', column: 'event' })).message,
    ).toMatch(/rm_parked\.event/);
  });

  it('a NOTIFY payload that is not a ReadoutChanged reads as none, not a throw in the listener', () => {
    expect(readoutChangedOf('{"trialId":"T1"')).toBeNull();
    expect(readoutChangedOf('{"trialId":"T1"}')).toBeNull();
    const c = { trialId: 'T1', version: 2, eventsApplied: 5, topic: null, partition: null, lastOffset: null };
    expect(readoutChangedOf(JSON.stringify(c))).toEqual(c);
  });
});
