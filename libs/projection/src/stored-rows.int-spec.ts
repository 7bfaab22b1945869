// Against the real Postgres: rows read back are checked, not cast. A row written before the
// fields it lacks were kept (a v1 design, a state without date of birth and sex, a follow-up
// without strata) reads back upcast; a row this code cannot use is a stored-row-invalid
// naming its table and column, in a batch and in a read alike.
import { DataSource } from 'typeorm';
import { isCodedError, noPlans, type EnrollmentEvent } from '@trial/contracts';
import { suiteDataSource, uniqueId } from '../../../test/support';
import { ReadModelProjector } from './projector';
import { analysisAt, followUpsNow, getTrial, heldAt } from './queries';
import { randomisedPatient, registeredTrial } from '../../../test/support/events';
import { testProjector } from '../../../test/support/projector';

describe('stored rows as read back', () => {
  let ds: DataSource;
  suiteDataSource(2, (d) => (ds = d));

  const events = (trialId: string) => {
    const registered = registeredTrial(trialId, 'stored rows');
    const randomised = (i: number) => randomisedPatient(trialId, i);
    return { registered, randomised };
  };
  const seen = (trialId: string, i: number, on: string): EnrollmentEvent => ({
    v: 1,
    type: 'PatientSeenAlive',
    eventId: `${trialId}:seen-${i}-${on}`,
    trialId,
    patientId: `P${i}`,
    seenOn: on,
  });

  async function projected(trialId: string): Promise<ReadModelProjector> {
    const { registered, randomised } = events(trialId);
    const projector = testProjector(ds, `stored-${trialId}`);
    await projector.apply({
      topic: `t-${trialId}`,
      partition: 0,
      lastOffset: '2',
      messages: [
        { offset: '0', value: registered },
        { offset: '1', value: randomised(1) },
        { offset: '2', value: randomised(2) },
      ],
    });
    await projector.drain();
    return projector;
  }

  it('reads back rows written before their newer fields (v1 design, state without date of birth and sex, follow-up without strata)', async () => {
    const trialId = uniqueId('STORED-OLD');
    await projected(trialId);
    const { registered } = events(trialId);
    const v1 = { ...registered, v: 1 } as Record<string, unknown>;
    for (const k of Object.keys(noPlans())) delete v1[k];
    await ds.query(`update rm_trials set design = $2 where trial_id = $1`, [trialId, JSON.stringify(v1)]);
    await ds.query(
      `update rm_patients set state = (state::jsonb - 'dateOfBirth' - 'sex') #- '{randomisation,strata}' #- '{randomisation,covariates}',
         followup = followup::jsonb - 'sex' - 'ageAtRandomisation' - 'strata' - 'covariates' - 'underlyingCause'
       where trial_id = $1 and patient_id = 'P1'`,
      [trialId],
    );

    const held = await heldAt(ds, trialId);
    const old = held.states.find((s) => s.patientId === 'P1');
    expect(old && 'sex' in old).toBe(false);
    expect(old?.randomisation?.arm).toBe('IABP');
    const now = await followUpsNow(ds, trialId);
    expect(now.design?.v).toBe(2);
    expect(now.design?.allocationRatio).toBe(1);
    expect(now.followUps.map((f) => f.patientId).sort()).toEqual(['P1', 'P2']);
    // The batch path (loadPatients) and a new instance's trial cache reload read the old rows too.
    const again = testProjector(ds, `stored-again-${trialId}`);
    await again.apply({ topic: `t-${trialId}`, partition: 1, lastOffset: '0', messages: [{ offset: '0', value: seen(trialId, 1, '2008-01-01') }] });
    await again.drain();
    const live = await analysisAt(ds, trialId, {}, {});
    expect(live.analysis.pooled.ok && live.analysis.pooled.value.n).toBe(2);
    expect((await getTrial(ds, trialId)).randomised).toBe(2);
  });

  it('refuses a malformed state in a batch and in a read, and a malformed snapshot: stored-row-invalid, table and column named', async () => {
    const trialId = uniqueId('STORED-BAD');
    const projector = await projected(trialId);
    const [{ state }] = (await ds.query(`select state from rm_patients where trial_id = $1 and patient_id = 'P1'`, [trialId])) as [
      { state: unknown },
    ];
    const [{ snapshot }] = (await ds.query(`select snapshot from rm_readouts where trial_id = $1`, [trialId])) as [{ snapshot: unknown }];
    const refused = async (p: Promise<unknown>, where: RegExp) => {
      const e = await p.then(
        () => null,
        (err: unknown) => err,
      );
      expect(isCodedError(e, ['stored-row-invalid'])).toBe(true);
      expect((e as Error).message).toMatch(where);
      expect((e as Error).message).not.toContain('0102030401');
    };
    try {
      await ds.query(
        `update rm_patients set state = jsonb_set(state::jsonb, '{seenAlive}', '"0102030401"') where trial_id = $1 and patient_id = 'P1'`,
        [trialId],
      );
      const batch = { topic: `t-${trialId}`, partition: 1, lastOffset: '0', messages: [{ offset: '0', value: seen(trialId, 1, '2008-01-01') }] };
      await refused(projector.apply(batch), /^a stored row of rm_patients cannot be read: state\.seenAlive/);
      await refused(heldAt(ds, trialId), /^a stored row of rm_patients\.state cannot be read: state\.seenAlive/);
      await ds.query(`update rm_readouts set snapshot = jsonb_set(snapshot::jsonb, '{cohort,arms}', '[]')::json where trial_id = $1`, [trialId]);
      await refused(getTrial(ds, trialId), /^a stored row of rm_readouts\.snapshot cannot be read: cohort\.arms/);
    } finally {
      // Other suites list every trial: the rows are put back as they were.
      await ds.query(`update rm_patients set state = $2 where trial_id = $1 and patient_id = 'P1'`, [trialId, JSON.stringify(state)]);
      await ds.query(`update rm_readouts set snapshot = $2 where trial_id = $1`, [trialId, JSON.stringify(snapshot)]);
    }
  });
  it("sets aside a trial whose stored follow-up does not read: another trial's read-out still goes out", async () => {
    const bad = uniqueId('STORED-ASIDE');
    const good = uniqueId('STORED-GOOD');
    await projected(bad);
    await projected(good);
    await ds.query(
      `update rm_patients set followup = jsonb_set(followup::jsonb, '{time}', '"0102030401"') where trial_id = $1 and patient_id = 'P2'`,
      [bad],
    );
    try {
      // A new instance: its cache is cold, so flushing `bad` reloads it and meets the row.
      const errors: unknown[] = [];
      const cold = new ReadModelProjector(
        ds,
        () => new Date().toISOString(),
        (e) => errors.push(e),
        `stored-cold-${bad}`,
      );
      await cold.apply({
        topic: `t-${bad}`,
        partition: 1,
        lastOffset: '1',
        messages: [
          { offset: '0', value: seen(bad, 1, '2008-01-01') },
          { offset: '1', value: seen(good, 1, '2008-01-01') },
        ],
      });
      await cold.drain();
      cold.stop();
      const [g] = (await ds.query(`select r.version >= t.version as fresh from rm_readouts r join rm_trials t using (trial_id) where trial_id = $1`, [
        good,
      ])) as [{ fresh: boolean }];
      expect(g.fresh).toBe(true);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => isCodedError(e, ['stored-row-invalid']))).toBe(true);
      expect(errors.map((e) => (e as Error).message).join(' ')).not.toContain('0102030401');
    } finally {
      await ds.query(`delete from rm_patients where trial_id = $1`, [bad]);
    }
  });
});
