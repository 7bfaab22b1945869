// A name breaking the text rule (a NUL, a control, a lone surrogate) is
// refused at ingest, never published for the consumers to dead-letter: the field is dropped
// with a warning naming the column and the rule (never the value) and the death is kept; a
// record id breaking it rejects the row. An unusual but valid name is kept as it is and
// decodes as the consumers decode it.
import { decode, registryNotification, TEXT_RULE } from '@trial/contracts';
import { validateRow } from './validate';
import { onsRow } from '../../../test/support/registry-rows';

const ons = (o: Record<string, string>): Record<string, string> => onsRow(o);
const ctx = { line: 7, extractedOn: '2011-10-02' };

describe('ingest: the text rule on a row', () => {
  it.each([
    ['DEC_SURNAME', 'familyName', 'SM\u0000ITH', TEXT_RULE.control],
    ['DEC_FORENAMES', 'givenNames', 'JOHN\u0000', TEXT_RULE.control],
    ['DEC_SURNAME', 'familyName', 'SMITH\ud800', TEXT_RULE.surrogate],
    ['DEC_FORENAMES', 'givenNames', '\udc00JOHN', TEXT_RULE.surrogate],
    ['DEC_SURNAME', 'familyName', 'SMI\u0007TH', TEXT_RULE.control],
    ['DEC_SURNAME', 'familyName', 'SMI\u0085TH', TEXT_RULE.control],
    ['DEC_POSTCODE', 'postcode', 'SE1\u00007EH', TEXT_RULE.control],
  ] as const)('keeps the death but drops %s when it breaks the rule, warning with the column and rule', (column, field, value, rule) => {
    const r = validateRow('ons', ons({ [column]: value }), ctx);
    if (!r.ok) throw new Error(`rejected: ${r.error.field} ${r.error.reason}`);
    expect(r.record[field]).toBeNull();
    expect(r.record.nhsNumber).toBe('9434765919');
    expect(r.warnings).toEqual([{ field: column, reason: `${rule}: not kept` }]);
    for (const w of r.warnings) expect(w.reason).not.toMatch(/SMITH|JOHN|SE1/);
    expect(decode(registryNotification, JSON.stringify(r.record))).toEqual({ ok: true, value: r.record });
  });

  it('rejects the row when the record id breaks the rule, saying which column and rule', () => {
    const r = validateRow('ons', ons({ RECORD_ID: 'D2009\u0000-1' }), ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ line: 7, field: 'RECORD_ID', reason: TEXT_RULE.control });
  });

  it.each(['عبد الله', 'כהן', 'NGUYE\u0302\u0303N', '李', 'O\u2019BRIEN', 'SMITH \u{1F600}', 'X'.repeat(200)])(
    'keeps the unusual but valid surname %j as given (upper-cased), decodable by the consumers',
    (name) => {
      const r = validateRow('ons', ons({ DEC_SURNAME: name, DEC_FORENAMES: name }), ctx);
      if (!r.ok) throw new Error(`rejected: ${r.error.field} ${r.error.reason}`);
      expect(r.warnings).toEqual([]);
      expect(r.record.familyName).toBe(name.toUpperCase());
      expect(decode(registryNotification, JSON.stringify(r.record))).toEqual({ ok: true, value: r.record });
    },
  );
});
