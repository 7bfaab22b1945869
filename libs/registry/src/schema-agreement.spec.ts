import { decode, registryNotification } from '@trial/contracts';
import { RowResult, validateRow } from './validate';
import { nrsRow, onsRow } from '../../../test/support/registry-rows';

/**
 * Ingest must never publish a notification the consumers then refuse. Every
 * row validateRow accepts decodes with the consumers' own schema and path (`decode` of
 * `registryNotification`); a row that schema refuses is a per-row reject naming the line, the
 * file column and the reason, with no personal value in the reason.
 */
const ons = onsRow;
const nrs = nrsRow;
const ctx = { line: 7, extractedOn: '2011-10-02' };
const personal = ['9434765919', 'SMITH', 'JOHN', 'SE1 7EH', '19410203', '1941-02-03', 'REID', 'EH1 1AA'];

function rejected(r: RowResult) {
  if (r.ok) throw new Error(`expected a reject, got version ${r.record.version} of ${r.record.recordId}`);
  return r.error;
}

describe("ingest validates rows with the consumers' schema", () => {
  it('given a version beyond what the consumers store, when the row is validated, then it is a reject on RECORD_VERSION', () => {
    const e = rejected(validateRow('ons', ons({ RECORD_VERSION: '3000000000' }), ctx));
    expect(e).toMatchObject({ line: 7, recordId: 'D2009-000123', field: 'RECORD_VERSION' });
    expect(e.reason).toMatch(/2147483647/);
    expect(e.reason).not.toContain('3000000000');
    const n = rejected(validateRow('nrs', nrs({ VERSION: '3000000000' }), ctx));
    expect(n).toMatchObject({ line: 7, field: 'VERSION' });
  });

  it('given a version too long for a number at all, then it is a reject too, not Infinity published', () => {
    expect(rejected(validateRow('ons', ons({ RECORD_VERSION: '9'.repeat(400) }), ctx)).field).toBe('RECORD_VERSION');
  });

  it('given the largest version the consumers store, then the row is published and decodes', () => {
    const r = validateRow('ons', ons({ RECORD_VERSION: '2147483647' }), ctx);
    expect(r.ok && r.record.version).toBe(2147483647);
  });

  it.each([
    ['an impossible date of death', ons({ REG_DATE_OF_DEATH: '20090230' }), 'REG_DATE_OF_DEATH'],
    ['an impossible date of birth', ons({ DEC_DATE_OF_BIRTH: '19411301' }), 'DEC_DATE_OF_BIRTH'],
    ['an impossible event date', ons({ NOTIFICATION_TYPE: 'E', EVENT_DATE: '20100229' }), 'EVENT_DATE'],
    ['a death before the birth', ons({ REG_DATE_OF_DEATH: '19400101', REG_DATE: '19400102' }), 'REG_DATE_OF_DEATH'],
    ['a death with no date of death', ons({ REG_DATE_OF_DEATH: '', REG_DATE: '' }), 'REG_DATE_OF_DEATH'],
    ['an embarkation with no date', ons({ NOTIFICATION_TYPE: 'E' }), 'EVENT_DATE'],
    ['an unknown kind', ons({ NOTIFICATION_TYPE: 'X' }), 'NOTIFICATION_TYPE'],
    ['version zero', ons({ RECORD_VERSION: '0' }), 'RECORD_VERSION'],
    ['an NRS date in the wrong month', nrs({ DATE_OF_DEATH: '2009-02-29', DATE_OF_REGISTRATION: '' }), 'DATE_OF_DEATH'],
  ])('given %s, then it is a reject naming the column, with no personal value in the reason', (_what, row, field) => {
    const layout = 'RECORD_ID' in row ? 'ons' : 'nrs';
    const e = rejected(validateRow(layout, row, ctx));
    expect(e.field).toBe(field);
    for (const p of personal) expect(e.reason).not.toContain(p);
  });

  it('given an extract date that is not a date, then every row is a reject naming extractedOn (the option, not a column)', () => {
    const e = rejected(validateRow('ons', ons(), { line: 3, extractedOn: '2011-02-30' }));
    expect(e).toMatchObject({ line: 3, field: 'extractedOn' });
  });

  it.each([
    ['ons death', 'ons', ons()],
    ['ons cancellation', 'ons', ons({ CANCELLED_FLAG: 'Y', RECORD_VERSION: '2' })],
    ['ons embarkation', 'ons', ons({ NOTIFICATION_TYPE: 'E', EVENT_DATE: '20100101', REG_DATE_OF_DEATH: '', REG_DATE: '' })],
    ['ons re-entry', 'ons', ons({ NOTIFICATION_TYPE: 'R', EVENT_DATE: '20100101', REG_DATE_OF_DEATH: '', REG_DATE: '' })],
    [
      'ons no-trace, number only',
      'ons',
      ons({ NOTIFICATION_TYPE: 'N', REG_DATE_OF_DEATH: '', REG_DATE: '', DEC_DATE_OF_BIRTH: '', DEC_SURNAME: '', DEC_SEX: '' }),
    ],
    ['nrs death', 'nrs', nrs()],
    ['nrs death without a number', 'nrs', nrs({ CHI: '' })],
    // Kept with warnings (feeds.md, "Identifier checks"): published, so they must decode too,
    // identifierWarnings and all.
    ['ons death whose NHS number fails Modulus 11', 'ons', ons({ DEC_CONF_NHS_NUMBER: '9434765918' })],
    ['ons death whose NHS number is not 10 digits', 'ons', ons({ DEC_CONF_NHS_NUMBER: '94347659' })],
    ['nrs death whose CHI prefix disagrees with the date of birth', 'nrs', nrs({ DATE_OF_BIRTH: '1941-02-04' })],
    ['nrs death whose CHI sex digit disagrees', 'nrs', nrs({ SEX: 'F' })],
    ['ons death with an unknown sex and a registration before it', 'ons', ons({ DEC_SEX: '7', REG_DATE: '20090601' })],
  ] as const)('given a %s row that is kept, then what ingest publishes decodes exactly as the consumer decodes it', (_what, layout, row) => {
    const r = validateRow(layout, row, ctx);
    if (!r.ok) throw new Error(`${r.error.field}: ${r.error.reason}`);
    const decoded = decode(registryNotification, JSON.stringify(r.record));
    expect(decoded).toEqual({ ok: true, value: r.record });
  });

  it("given a damaged number, then the published record says so in the consumers' own field, which they keep", () => {
    const r = validateRow('ons', ons({ DEC_CONF_NHS_NUMBER: '9434765918' }), ctx);
    if (!r.ok) throw new Error(`${r.error.field}: ${r.error.reason}`);
    const decoded = decode(registryNotification, JSON.stringify(r.record));
    expect(decoded.ok && decoded.value).toMatchObject({
      nhsNumber: '9434765918',
      identifierWarnings: [{ field: 'nhsNumber', reason: 'fails the Modulus 11 check' }],
    });
  });
});
