// `followup ingest` against the real broker (feeds.md, "Identifier checks"): a death whose
// number fails its check is published with a warning (line, field, reason) in the warnings
// report and the summary, counted apart from the rejects; only a row that is no registration is
// rejected. Private topics (TOPIC_PREFIX), so no other suite sees these rows.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modulus11CheckDigit } from '@trial/linkage';
import { runCli } from '../../../test/support/cli';
import { KAFKA_BROKERS, privateTopics, readAll, testKafka } from '../../../test/support';
import { register } from '../src/commands/ingest';

const dir = mkdtempSync(join(tmpdir(), 'ingest-cli-int-'));
const ONS =
  'RECORD_ID,RECORD_VERSION,NOTIFICATION_TYPE,DEC_CONF_NHS_NUMBER,DEC_DATE_OF_BIRTH,DEC_SEX,DEC_SURNAME,DEC_FORENAMES,DEC_POSTCODE,REG_DATE_OF_DEATH,REG_DATE,S_UNDERLYING_COD_ICD10,POD_CODE,EVENT_DATE,CANCELLED_FLAG';
const NRS =
  'ENTRY_ID,VERSION,TYPE,CHI,DATE_OF_BIRTH,SEX,SURNAME,FORENAMES,POSTCODE,DATE_OF_DEATH,DATE_OF_REGISTRATION,UNDERLYING_CAUSE,EVENT_DATE,CANCELLED';
const chi = (first9: string) => `${first9}${modulus11CheckDigit(first9)}`;

interface Summary {
  rows: number;
  published: number;
  rejected: number;
  warnings: number;
  firstWarnings: unknown[];
  firstRejects: unknown[];
  warningsReport: string;
  rejectsReport: string;
}

describe('followup ingest: damaged identifiers are warnings, published', () => {
  const kafka = testKafka();

  it('publishes an ONS death whose NHS number fails Modulus 11, with the warning in the report and the summary', async () => {
    const { prefix, topics, drop } = await privateTopics(kafka, 'ingest-cli-ons');
    try {
      const file = join(dir, 'ons.csv');
      writeFileSync(
        file,
        [
          ONS,
          'D1,1,D,9434765919,19410203,1,SMITH,JOHN PAUL,SE1 7EH,20090630,20090706,I21.9,hospital,,',
          'D2,1,D,9434765918,19410203,1,SMITH,JOHN PAUL,SE1 7EH,20090630,20090706,I21.9,hospital,,',
          'D3,1,X,9434765919,19410203,1,SMITH,JOHN PAUL,SE1 7EH,20090630,20090706,I21.9,hospital,,',
        ].join('\n') + '\n',
      );
      const r = await runCli([register], ['ingest', '--source', 'ONS', '--extracted-on', '2011-10-02', file], {
        KAFKA_BROKERS,
        TOPIC_PREFIX: prefix,
      });
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const s = JSON.parse(r.out) as Summary;
      expect(s).toMatchObject({
        rows: 3,
        published: 2,
        rejected: 1,
        warnings: 1,
        warningsReport: `${file}.warnings.csv`,
        rejectsReport: `${file}.rejects.csv`,
      });
      expect(s.firstWarnings).toEqual([{ line: 3, field: 'DEC_CONF_NHS_NUMBER', reason: 'fails the Modulus 11 check' }]);
      expect(readFileSync(`${file}.warnings.csv`, 'utf8')).toBe('line,field,reason\n3,DEC_CONF_NHS_NUMBER,fails the Modulus 11 check\n');
      expect(readFileSync(`${file}.rejects.csv`, 'utf8')).toMatch(/^line,field,reason\n4,NOTIFICATION_TYPE,/);
      // No personal value in either report.
      expect(readFileSync(`${file}.warnings.csv`, 'utf8') + readFileSync(`${file}.rejects.csv`, 'utf8')).not.toMatch(/943476591|SMITH|19410203/);
      const seen = await readAll(kafka, topics.notifications, 2);
      const d2 = seen.find((m) => m.key === 'ONS:D2');
      expect(d2?.value).toMatchObject({
        kind: 'death',
        nhsNumber: '9434765918',
        identifierWarnings: [{ field: 'nhsNumber', reason: 'fails the Modulus 11 check' }],
      });
    } finally {
      await drop();
    }
  });

  it('publishes an NRS death whose CHI prefix disagrees with the date of birth, with a warning on CHI', async () => {
    const { prefix, topics, drop } = await privateTopics(kafka, 'ingest-cli-nrs');
    try {
      const file = join(dir, 'nrs.csv');
      // The number was issued for 03/02/45; the recorded date of birth was corrected since.
      writeFileSync(file, [NRS, `S1,1,D,${chi('030245122')},1945-02-13,F,REID,ANN,EH1 1AA,2009-06-30,2009-07-01,I21.9,,`].join('\n') + '\n');
      const warnings = join(dir, 'nrs-warnings.csv');
      const r = await runCli([register], ['ingest', '--source', 'NRS', '--extracted-on', '2011-10-02', '--warnings', warnings, file], {
        KAFKA_BROKERS,
        TOPIC_PREFIX: prefix,
      });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ rows: 1, published: 1, rejected: 0, warnings: 1, warningsReport: warnings });
      expect(readFileSync(warnings, 'utf8')).toBe('line,field,reason\n2,CHI,does not start with the date of birth (DDMMYY)\n');
      const [m] = await readAll(kafka, topics.notifications, 1);
      expect(m.value).toMatchObject({ recordId: 'S1', chiNumber: chi('030245122'), identifierWarnings: [{ field: 'chiNumber' }] });
    } finally {
      await drop();
    }
  });
});
