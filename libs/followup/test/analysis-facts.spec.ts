import { patientRandomised, upcast } from '@trial/contracts';
import { deriveFollowUp, endpointCode, endpointStatus, replay, type FollowupEvent, type PatientState } from '../src';
import { corrected, deathAmended, deathLinked, deathWithdrawn, embarked, given, ONS_COMPLETE, randomised } from './given';

// What the stratified, subgroup and cause-specific analyses need of a
// patient reaches the follow-up: the cause of the death that counts, strata, covariates,
// sex and age at randomisation.
const ons = { ONS: ONS_COMPLETE };
const withCause = (e: FollowupEvent, underlyingCause: string | null): FollowupEvent => ({ ...e, underlyingCause }) as FollowupEvent;
const cvDeath = { icd10: [{ from: 'I00', to: 'I99' }] };

describe('follow-up facts for analyses: the underlying cause', () => {
  it('given a linked death with a cause, when derived, then the follow-up carries that cause', () => {
    const f = given(randomised(), withCause(deathLinked('D1', '2009-06-30'), 'I21.9')).derive(ons);
    expect(f).toMatchObject({ status: 1, underlyingCause: 'I21.9' });
    expect(endpointStatus(f, cvDeath)).toBe('event');
  });

  it('given an amendment that recodes the cause, when derived, then the amended cause counts', () => {
    const f = given(
      randomised(),
      withCause(deathLinked('D1', '2009-06-30'), 'I21.9'),
      withCause(deathAmended('D1', '2009-06-30', 2), 'C34.1'),
    ).derive(ons);
    expect(f.underlyingCause).toBe('C34.1');
    expect(endpointCode(endpointStatus(f, cvDeath))).toBe(2);
  });

  it("given the amendment delivered before the original, when derived, then the higher version's cause still counts", () => {
    const f = given(
      randomised(),
      withCause(deathAmended('D1', '2009-06-30', 2), 'C34.1'),
      withCause(deathLinked('D1', '2009-06-30'), 'I21.9'),
    ).derive(ons);
    expect(f.underlyingCause).toBe('C34.1');
  });

  it('given a cancelled death, when derived, then no cause is left', () => {
    const f = given(randomised(), withCause(deathLinked('D1', '2009-06-30'), 'I21.9'), deathWithdrawn('D1', 2)).derive(ons);
    expect(f).toMatchObject({ status: 0, underlyingCause: null });
    expect(endpointStatus(f, cvDeath)).toBe('censored');
  });

  it("given two deaths and the earlier cancelled, when derived, then the cause is the remaining death's", () => {
    const f = given(
      randomised(),
      withCause(deathLinked('D1', '2009-05-01'), 'I21.9'),
      withCause(deathLinked('D2', '2009-06-30', 1, 'NRS'), 'J18.9'),
      deathWithdrawn('D1', 2),
    ).derive(ons);
    expect(f).toMatchObject({ endDate: '2009-06-30', underlyingCause: 'J18.9' });
  });

  it("given two live deaths, when derived, then the cause is the earliest's, the one that counts", () => {
    const f = given(
      randomised(),
      withCause(deathLinked('D1', '2009-06-30'), 'J18.9'),
      withCause(deathLinked('D2', '2009-05-01', 1, 'NRS'), 'I50.0'),
    ).derive(ons);
    expect(f.underlyingCause).toBe('I50.0');
  });

  it('given a death with no cause recorded, when derived, then it competes with a cause-specific endpoint', () => {
    const f = given(randomised(), withCause(deathLinked('D1', '2009-06-30'), null)).derive(ons);
    expect(f.underlyingCause).toBeNull();
    expect(endpointStatus(f, cvDeath)).toBe('competing');
  });

  it('given a death after an open embarkation, when derived, then it does not count and its cause is not kept', () => {
    const f = given(randomised(), embarked('E1', '2008-01-01'), withCause(deathLinked('D1', '2009-06-30'), 'I21.9')).derive(ons);
    expect(f).toMatchObject({ status: 0, reason: 'embarked', underlyingCause: null });
  });

  it('given a death after the data cutoff, when derived at the cutoff, then no cause is given', () => {
    const f = given(randomised(), withCause(deathLinked('D1', '2009-06-30'), 'I21.9')).derive(ons, { dataCutoff: '2009-01-01' });
    expect(f).toMatchObject({ status: 0, underlyingCause: null });
  });
});

describe('follow-up facts for analyses: strata, covariates, sex and age', () => {
  const v2 = (): FollowupEvent => ({ ...randomised(), strata: { region: 'London' }, covariates: { diabetes: 'Y' } }) as FollowupEvent;

  it('given a v2 randomisation, when derived, then strata, covariates, sex and age at randomisation reach the follow-up', () => {
    // Born 1941-02-03, randomised 2006-03-14: 65 whole years.
    const f = given(v2()).derive(ons);
    expect(f).toMatchObject({ strata: { region: 'London' }, covariates: { diabetes: 'Y' }, sex: 'M', ageAtRandomisation: 65 });
  });

  it('given a corrected date of birth and sex, when derived, then age and sex follow the correction', () => {
    const fix = { ...corrected({}), changes: { dateOfBirth: '1931-04-01', sex: 'F' } } as FollowupEvent;
    const f = given(v2(), fix).derive(ons);
    expect(f).toMatchObject({ sex: 'F', ageAtRandomisation: 74 });
  });

  it('given a v1 randomisation upcast on read, when derived, then it has no strata and no covariates', () => {
    const { strata: _s, covariates: _c, ...rest } = randomised() as Extract<FollowupEvent, { type: 'PatientRandomised' }>;
    const v1 = patientRandomised.parse(upcast({ ...rest, v: 1 }));
    expect(given(v1).derive(ons)).toMatchObject({ strata: {}, covariates: {}, sex: 'M', ageAtRandomisation: 65 });
  });

  it('given a state stored before cause, strata, sex and birth date were kept, when derived, then those read as unknown', () => {
    const now = replay([v2(), withCause(deathLinked('D1', '2009-06-30'), 'I21.9')]);
    const { dateOfBirth: _d, sex: _x, ...old } = now;
    const stored: PatientState = {
      ...old,
      randomisation: { eventId: 'r', arm: 'IABP', site: 'KCH', randomisedOn: '2006-03-14' },
      records: { 'ONS:D1': { source: 'ONS', recordId: 'D1', version: 1, kind: 'death', dateOfDeath: '2009-06-30', from: 'DeathLinked' } },
    };
    const r = deriveFollowUp(stored, ons);
    expect(r.ok && r.value).toMatchObject({ status: 1, underlyingCause: null, sex: null, ageAtRandomisation: null, strata: {}, covariates: {} });
  });

  it('given the follow-up, when its strata are changed, then the state is not', () => {
    const g = given(v2());
    g.derive(ons).strata.region = 'x';
    expect(g.state.randomisation?.strata).toEqual({ region: 'London' });
  });
});
