// `followup ingest --complete-up-to` after the extract date or after today: exit 2, one line,
// nothing published. Kafka points at a closed port: reaching it would throw.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../test/support/cli';
import { register } from '../src/commands/ingest';

const dir = mkdtempSync(join(tmpdir(), 'ingest-cli-'));
const file = join(dir, 'empty.csv');
writeFileSync(
  file,
  'RECORD_ID,RECORD_VERSION,NOTIFICATION_TYPE,DEC_CONF_NHS_NUMBER,DEC_DATE_OF_BIRTH,DEC_SEX,DEC_SURNAME,DEC_FORENAMES,DEC_POSTCODE,REG_DATE_OF_DEATH,REG_DATE,S_UNDERLYING_COD_ICD10,POD_CODE,EVENT_DATE,CANCELLED_FLAG\n',
);
const env = { KAFKA_BROKERS: '127.0.0.1:1', AUTH_SECRET: 'test-secret-test-secret-test-secret-0123' };

describe('followup ingest --complete-up-to', () => {
  it('refuses a date after the extract date with exit 2 and one line naming the option', async () => {
    const r = await runCli([register], ['ingest', '--source', 'ONS', '--extracted-on', '2011-10-02', '--complete-up-to', '2099-12-31', file], env);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'followup ingest: --complete-up-to 2099-12-31 is after the extract date 2011-10-02: a registry cannot be complete past the day it was extracted\n',
    );
  });

  it('refuses a date after today (the extract date defaulting to today)', async () => {
    const r = await runCli([register], ['ingest', '--source', 'ONS', '--complete-up-to', '2099-12-31', file], env);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^followup ingest: --complete-up-to 2099-12-31 is after the extract date \d{4}-\d{2}-\d{2}/);
  });

  it('refuses a date after today even when the extract is dated later still', async () => {
    const r = await runCli([register], ['ingest', '--source', 'ONS', '--extracted-on', '2099-12-31', '--complete-up-to', '2099-12-30', file], env);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^followup ingest: --complete-up-to 2099-12-30 is after today \(\d{4}-\d{2}-\d{2}\)\n$/);
  });
});
