import { Readable } from 'node:stream';
import { Producer } from 'kafkajs';
import { topicNames } from '@trial/contracts';
import { extractCompleteFor } from './completeness';
import { IngestError, ingestExtract } from './pipeline';

/** A `completeUpTo` after the extract date or after today is refused at ingest. */
describe('extractCompleteFor', () => {
  const base = { source: 'ONS' as const, extractedOn: '2011-10-02', today: '2026-12-01' };

  it('given a date up to the extract date, then it is the extract-complete the consumers decode', () => {
    expect(extractCompleteFor({ ...base, completeUpTo: '2011-09-30' })).toEqual({
      ok: true,
      value: { v: 1, source: 'ONS', kind: 'extract-complete', completeUpTo: '2011-09-30', extractedOn: '2011-10-02' },
    });
    expect(extractCompleteFor({ ...base, completeUpTo: '2011-10-02' }).ok).toBe(true);
  });

  it('given a date after the extract date, then it is refused, naming the field', () => {
    expect(extractCompleteFor({ ...base, completeUpTo: '2099-12-31' })).toEqual({
      ok: false,
      error: { code: 'complete-up-to-after-extract', field: 'completeUpTo', reason: expect.stringContaining('after the extract date 2011-10-02') },
    });
    expect(extractCompleteFor({ ...base, completeUpTo: '2011-10-03' }).ok).toBe(false);
  });

  it('given an extract dated in the future and a date after today, then it is refused as in the future', () => {
    expect(extractCompleteFor({ ...base, extractedOn: '2099-12-31', completeUpTo: '2099-12-31' })).toMatchObject({
      ok: false,
      error: { code: 'complete-up-to-in-future', field: 'completeUpTo' },
    });
    expect(extractCompleteFor({ ...base, extractedOn: '2026-12-02', completeUpTo: '2026-12-01' }).ok).toBe(true);
  });

  it('given a date that is not a real date, then the schema refuses it', () => {
    expect(extractCompleteFor({ ...base, completeUpTo: '2011-02-30' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-extract-complete', field: 'completeUpTo' },
    });
  });
});

describe('ingestExtract with a future completeUpTo', () => {
  // Any use of the producer fails the test: the refusal must come before a single row is sent.
  const untouchable = new Proxy(
    {},
    {
      get: (_t, p) => {
        throw new Error(`producer.${String(p)} used`);
      },
    },
  ) as Producer;
  const csv =
    'RECORD_ID,RECORD_VERSION,NOTIFICATION_TYPE,DEC_CONF_NHS_NUMBER,DEC_DATE_OF_BIRTH,DEC_SEX,DEC_SURNAME,DEC_FORENAMES,DEC_POSTCODE,REG_DATE_OF_DEATH,REG_DATE,S_UNDERLYING_COD_ICD10,POD_CODE,EVENT_DATE,CANCELLED_FLAG\n';
  const options = {
    source: 'ONS' as const,
    extractedOn: '2011-10-02',
    topics: topicNames('u-'),
    file: 'empty.csv',
    clock: () => 0,
    failedAt: '2026-12-01T09:00:00.000Z',
    producer: untouchable,
  };

  it('given zero rows and completeUpTo 2099-12-31, then it throws before publishing anything', async () => {
    const run = ingestExtract({ ...options, input: Readable.from([csv]), completeUpTo: '2099-12-31' });
    await expect(run).rejects.toBeInstanceOf(IngestError);
    await expect(ingestExtract({ ...options, input: Readable.from([csv]), completeUpTo: '2099-12-31' })).rejects.toMatchObject({
      code: 'complete-up-to-after-extract',
      field: 'completeUpTo',
      message: expect.stringMatching(/^completeUpTo: 2099-12-31 is after/),
    });
  });

  it('given today passed in, then a date after it is refused even with a later extract date', async () => {
    await expect(
      ingestExtract({ ...options, input: Readable.from([csv]), extractedOn: '2030-01-01', completeUpTo: '2029-12-31', today: '2026-12-01' }),
    ).rejects.toMatchObject({ code: 'complete-up-to-in-future' });
  });
});
