import { checkedRows, isCodedError } from '@trial/contracts';
import { identityProblem, linkProblem, recordProblem } from './stored-rows';
import { ENROLLED_AS } from '../../../test/support/feeds';

// The linkage store's per-batch reads (store.ts) check rows by type: one that does not read is a
// StoredRowError naming the table and column, never the identifiers it holds.
const identity = {
  randomisedOn: '2020-01-02',
  ...ENROLLED_AS,
  givenNames: 'John',
};
const link = {
  source: 'ONS',
  recordId: 'r1',
  trialId: 'T1',
  status: 'linked',
  patientId: 'P1',
  version: 2,
  reviewId: null,
  seq: 1,
  emitted: { patientId: 'P1', kind: 'death', version: 2, dateOfDeath: '2021-01-01', underlyingCause: null, eventDate: null },
  clerical: null,
  deterministic: true,
};

function refused(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isCodedError(e, ['stored-row-invalid'])) return e.message;
    throw e;
  }
  throw new Error('the row was not refused');
}

describe('linkage rows as read back', () => {
  it('rows as written read back unchanged', () => {
    const patient = { trialId: 'T1', patientId: 'P1', identity, withdrawnOn: null };
    expect(checkedRows([patient], identityProblem, { table: 'lk_patients', column: 'identity' })).toEqual([patient]);
    expect(checkedRows([link], linkProblem, { table: 'lk_links' })).toEqual([link]);
  });

  it('an identity with a number where text belongs is refused, without its value', () => {
    const at = { table: 'lk_patients', column: 'identity' };
    const m = refused(() => checkedRows([{ identity: { ...identity, familyName: 42 } }], identityProblem, at));
    expect(m).toBe('a stored row of lk_patients.identity cannot be read: identity.familyName: must be text or null');
    expect(m).not.toContain('9434765919');
  });

  it('a record version without its version number, and a link of no known status, are refused', () => {
    expect(
      refused(() =>
        checkedRows([{ record: { source: 'ONS', recordId: 'r1', kind: 'death' } }], recordProblem, { table: 'lk_record_versions', column: 'record' }),
      ),
    ).toMatch(/lk_record_versions\.record.*version/);
    expect(refused(() => checkedRows([{ ...link, status: 'maybe' }], linkProblem, { table: 'lk_links' }))).toMatch(/lk_links.*status/);
  });
});
