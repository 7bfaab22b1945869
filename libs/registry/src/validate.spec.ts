// feeds.md, "Identifier checks": damage to one field of a registration is a warning and the row
// is kept and published; only rows that cannot be a registration are rejected.
import { decode, registryNotification } from '@trial/contracts';
import { modulus10CheckDigit, modulus11CheckDigit } from '@trial/linkage';
import { RowResult, validateRow } from './validate';
import { CHI_FIRST9, nrsRow, onsRow } from '../../../test/support/registry-rows';

const ons = onsRow;
const nrs = nrsRow;
const first9 = CHI_FIRST9;
const mod11 = `${first9}${modulus11CheckDigit(first9)}`;
const ctx = { line: 5, extractedOn: '2011-10-02' };
const personal = ['9434765919', '9434765918', 'SMITH', 'JOHN', 'SE1 7EH', '19410203', '1941-02-03', '030241', 'REID', 'EH1 1AA'];

function kept(r: RowResult) {
  if (!r.ok) throw new Error(`expected the row kept, got a reject on ${r.error.field}: ${r.error.reason}`);
  // What is kept is published: it must decode exactly as the consumers decode it.
  expect(decode(registryNotification, JSON.stringify(r.record))).toEqual({ ok: true, value: r.record });
  for (const w of r.warnings) for (const p of personal) expect(w.reason).not.toContain(p);
  return r;
}

function rejected(r: RowResult) {
  if (r.ok) throw new Error(`expected a reject, got version ${r.record.version} of ${r.record.recordId}`);
  for (const p of personal) expect(r.error.reason).not.toContain(p);
  return r.error;
}

/** Flips the check digit of a number so that it fails the check its first nine digits give. */
const flipLast = (n: string): string => `${n.slice(0, 9)}${(Number(n[9]) + 1) % 10}`;

describe('identifier damage is a warning: the row is kept with the number as given', () => {
  it('an NHS number failing Modulus 11: kept, the number as given, marked invalid with the reason', () => {
    const r = kept(validateRow('ons', ons({ DEC_CONF_NHS_NUMBER: '9434765918' }), ctx));
    expect(r.warnings).toEqual([{ field: 'DEC_CONF_NHS_NUMBER', reason: 'fails the Modulus 11 check' }]);
    expect(r.record.nhsNumber).toBe('9434765918');
    expect(r.record.identifierWarnings).toEqual([{ field: 'nhsNumber', reason: 'fails the Modulus 11 check' }]);
  });

  it('an NHS number that is not 10 digits: kept, its digits normalised (spaces and hyphens gone)', () => {
    const r = kept(validateRow('ons', ons({ DEC_CONF_NHS_NUMBER: '943 476 591' }), ctx));
    expect(r.record.nhsNumber).toBe('943476591');
    expect(r.warnings).toEqual([{ field: 'DEC_CONF_NHS_NUMBER', reason: 'is not 10 digits' }]);
  });

  it('an NHS number whose check remainder gives 10: kept with its reason', () => {
    // First nine digits with 11 - (sum mod 11) = 10: no check digit makes them valid.
    let n = 100000000;
    while (modulus11CheckDigit(String(n)) !== null) n++;
    const r = kept(validateRow('ons', ons({ DEC_CONF_NHS_NUMBER: `${n}0` }), ctx));
    expect(r.warnings).toEqual([{ field: 'DEC_CONF_NHS_NUMBER', reason: expect.stringMatching(/Modulus 11/) }]);
  });

  it.each([
    ['a CHI not 10 digits', { CHI: '03024112' }, /not 10 digits/],
    ['a CHI with no real DDMMYY prefix', { CHI: `320241123${modulus11CheckDigit('320241123') ?? 0}` }, /DDMMYY/],
    ['a CHI failing both Modulus 11 and Modulus 10', { CHI: flipLast(mod11) }, /Modulus 11 and the Modulus 10/],
    ['a CHI whose sex digit disagrees', { SEX: 'F' }, /ninth digit/],
    ['a CHI whose prefix disagrees with the date of birth', { DATE_OF_BIRTH: '1941-02-04' }, /date of birth/],
  ] as const)('%s: kept, the number as given, a warning on CHI', (_what, over, reason) => {
    const row = nrs(over);
    const r = kept(validateRow('nrs', row, ctx));
    expect(r.warnings).toEqual([{ field: 'CHI', reason: expect.stringMatching(reason) }]);
    expect(r.record.chiNumber).toBe(row.CHI);
    expect(r.record.identifierWarnings).toEqual([{ field: 'chiNumber', reason: r.warnings[0].reason }]);
  });

  it('a sound number carries no warning and no identifierWarnings field (the record as before)', () => {
    for (const r of [validateRow('ons', ons(), ctx), validateRow('nrs', nrs(), ctx)]) {
      expect(kept(r).warnings).toEqual([]);
      expect(r.ok && 'identifierWarnings' in r.record).toBe(false);
    }
  });

  it('a Modulus 10 CHI (issued from 2026) is sound', () => {
    const chi10 = `${first9}${modulus10CheckDigit(first9)}`;
    expect(chi10).not.toBe(mod11);
    expect(kept(validateRow('nrs', nrs({ CHI: chi10 }), ctx)).warnings).toEqual([]);
  });
});

describe('other damage to one field is a warning too', () => {
  it.each([
    ['a registration before the death', ons({ REG_DATE: '20090601' }), 'REG_DATE', /before the date of death/],
    ['an unknown ONS sex code (taken as missing)', ons({ DEC_SEX: '7' }), 'DEC_SEX', /not a sex code/],
    ['an unknown NRS sex (taken as missing)', nrs({ SEX: 'X' }), 'SEX', /not a sex/],
    ['no identifying field', ons({ DEC_CONF_NHS_NUMBER: '', DEC_DATE_OF_BIRTH: '', DEC_SURNAME: '' }), 'DEC_CONF_NHS_NUMBER', /no identifying field/],
    [
      'an event date before the birth',
      ons({ NOTIFICATION_TYPE: 'E', EVENT_DATE: '19400101', REG_DATE_OF_DEATH: '', REG_DATE: '' }),
      'EVENT_DATE',
      /before the date of birth/,
    ],
    ['a surname beyond its bound (dropped)', ons({ DEC_SURNAME: 'S'.repeat(300) }), 'DEC_SURNAME', /at most 200 characters: not kept/],
    [
      'a surname that is not UTF-8 (Latin-1 read as UTF-8)',
      ons({ DEC_SURNAME: Buffer.from('M\xfcLLER', 'latin1').toString('utf8') }),
      'DEC_SURNAME',
      /not valid UTF-8/,
    ],
  ])('%s: kept with a warning naming the column', (_what, row, field, reason) => {
    const layout = 'RECORD_ID' in row ? 'ons' : 'nrs';
    const r = kept(validateRow(layout, row, ctx));
    expect(r.warnings).toEqual([{ field, reason: expect.stringMatching(reason) }]);
    expect('identifierWarnings' in r.record).toBe(false);
  });

  it('an unknown sex is published as missing, the dates as given', () => {
    expect(kept(validateRow('ons', ons({ DEC_SEX: '7' }), ctx)).record.sex).toBeNull();
    expect(kept(validateRow('ons', ons({ REG_DATE: '20090601' }), ctx)).record).toMatchObject({
      dateOfDeath: '2009-06-30',
      dateOfRegistration: '2009-06-01',
    });
  });

  it('several kinds of damage on one row: each is a warning', () => {
    const r = kept(validateRow('ons', ons({ DEC_SEX: '7', REG_DATE: '20090601', DEC_CONF_NHS_NUMBER: '9434765918' }), ctx));
    expect(r.warnings.map((w) => w.field)).toEqual(['DEC_SEX', 'DEC_CONF_NHS_NUMBER', 'REG_DATE']);
  });
});

describe('rejected are only rows that cannot be a registration', () => {
  it.each([
    ['an unknown kind', ons({ NOTIFICATION_TYPE: 'X' }), 'NOTIFICATION_TYPE'],
    ['no kind', ons({ NOTIFICATION_TYPE: '' }), 'NOTIFICATION_TYPE'],
    ['a cancellation flag that is not one', ons({ CANCELLED_FLAG: 'Q' }), 'CANCELLED_FLAG'],
    ['a missing record id', ons({ RECORD_ID: '' }), 'RECORD_ID'],
    ['a missing version', ons({ RECORD_VERSION: '' }), 'RECORD_VERSION'],
    ['an unparseable version', ons({ RECORD_VERSION: '1.5' }), 'RECORD_VERSION'],
    ['an unparseable date of death', ons({ REG_DATE_OF_DEATH: '2009063' }), 'REG_DATE_OF_DEATH'],
    ['an unparseable NRS date', nrs({ DATE_OF_REGISTRATION: '2009-02-30' }), 'DATE_OF_REGISTRATION'],
    ['a death with no date of death', ons({ REG_DATE_OF_DEATH: '' }), 'REG_DATE_OF_DEATH'],
    ['an NRS death with no date of death', nrs({ DATE_OF_DEATH: '', DATE_OF_REGISTRATION: '' }), 'DATE_OF_DEATH'],
    ['a re-entry with no event date', ons({ NOTIFICATION_TYPE: 'R', REG_DATE_OF_DEATH: '', REG_DATE: '' }), 'EVENT_DATE'],
    ['a death before the birth', ons({ REG_DATE_OF_DEATH: '19400101', REG_DATE: '19400102' }), 'REG_DATE_OF_DEATH'],
    ['an NRS death before the birth', nrs({ DATE_OF_DEATH: '1940-01-01', DATE_OF_REGISTRATION: '1940-01-02' }), 'DATE_OF_DEATH'],
  ])('%s: rejected, naming the column', (_what, row, field) => {
    const layout = 'RECORD_ID' in row ? 'ons' : 'nrs';
    expect(rejected(validateRow(layout, row, ctx))).toMatchObject({ line: 5, field });
  });

  it.each([
    ['ONS', 'ons', ons({ RECORD_VERSION: '2', CANCELLED_FLAG: 'Y', REG_DATE_OF_DEATH: '', REG_DATE: '' })],
    ['NRS', 'nrs', nrs({ VERSION: '2', CANCELLED: 'Y', DATE_OF_DEATH: '', DATE_OF_REGISTRATION: '' })],
  ] as const)('a %s cancellation with no date of death is kept: it withdraws the registration its id names', (_source, layout, row) => {
    const r = kept(validateRow(layout, row, ctx));
    expect(r.record).toMatchObject({ kind: 'death-cancelled', version: 2, dateOfDeath: null });
    expect(r.warnings).toEqual([]);
  });

  it('a reject still says the damage found before it (link shows it for rejected rows too)', () => {
    const r = validateRow('ons', ons({ DEC_SEX: '7', DEC_CONF_NHS_NUMBER: '9434765918', REG_DATE_OF_DEATH: '', REG_DATE: '' }), ctx);
    expect(r).toMatchObject({
      ok: false,
      error: { field: 'REG_DATE_OF_DEATH' },
      warnings: [{ field: 'DEC_SEX' }, { field: 'DEC_CONF_NHS_NUMBER', reason: 'fails the Modulus 11 check' }],
    });
  });
});
