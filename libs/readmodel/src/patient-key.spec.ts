// A patient's key in the read models' maps, and back: the trial and the patient it was made of,
// whatever text the ids hold (a NUL cannot occur in an id).
import { keyColumns, ofPatientKey, patientKey } from './patients';

describe('patientKey', () => {
  it('gives back the trial and the patient it was made of, ids with colons, spaces and empty text included', () => {
    for (const [t, p] of [
      ['T1', 'P1'],
      ['TRIAL:A', 'P:1'],
      ['a b', ''],
      ['', 'é😀'],
    ])
      expect(ofPatientKey(patientKey(t, p))).toEqual([t, p]);
  });

  it('lays keys out as the trial and patient columns of an unnest, in order', () => {
    expect(keyColumns([patientKey('T1', 'P2'), patientKey('T2', 'P1')])).toEqual([
      ['T1', 'T2'],
      ['P2', 'P1'],
    ]);
    expect(keyColumns([])).toEqual([[], []]);
  });
});
