// The text rule, on the event side: a randomisation whose name breaks the text rule (a NUL,
// a lone surrogate, another control) was counted by the projector but dead-lettered by linkage,
// so that patient's death could never link. Both consumers decode with the one rule now: each
// refuses it, with the same reason. Names however unusual but valid are handled the same way by
// both: linkage links their deaths and the projector counts them.
import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { linkageModule } from '../../apps/linkage/src/app.module';
import { PROJECTOR_IN_PROCESS, projectorModule } from '../../apps/projector/src/app.module';
import { dlqOf, TEXT_RULE } from '@trial/contracts';
import { getTrial } from '@trial/projection';
import { createDataSource } from '@trial/storage';
import { eventually, privateTopics, readAll, startInProcess, testConfig, testKafka, TEST_DATABASE_URL, uniqueId } from '../support';
import { collect, enrolKey, person, randomised, record, recordKey, send } from './linkage/fixtures';
import { registeredTrialV1 } from '../support/events';

type Json = Record<string, unknown>;

describe('the text rule in the projector and linkage alike (real Kafka and Postgres)', () => {
  const kafka = testKafka();
  const trialId = uniqueId('TXT');
  const apps: INestApplication[] = [];
  let producer: Producer;
  let ds: DataSource;
  let drop: () => Promise<void> = async () => undefined;
  let outcomes: Awaited<ReturnType<typeof collect>> | null = null;

  afterAll(async () => {
    for (const a of apps) await a.close();
    await outcomes?.stop();
    await producer?.disconnect();
    await ds?.destroy();
    await drop();
  });

  it('refuses a broken name in both consumers with one reason, and links and counts unusual names', async () => {
    const t = await privateTopics(kafka, 'textrule');
    drop = t.drop;
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    ds = await createDataSource(TEST_DATABASE_URL, { poolSize: 2 }).initialize();
    outcomes = await collect(kafka, t.topics.outcomes);
    const config = testConfig(t.prefix);
    apps.push((await startInProcess(linkageModule, config, `linkage-${trialId}`)).app);
    apps.push((await startInProcess(projectorModule, config, `projector-${trialId}`, PROJECTOR_IN_PROCESS)).app);

    await send(producer, t.topics.enrollments, [registeredTrialV1(trialId, 'text rule suite', uniqueId('reg'))], () => `${trialId}:`);
    const broken: Array<[Partial<{ familyName: string; givenNames: string }>, string]> = [
      [{ familyName: 'Sm\u0000ith' }, `familyName: ${TEXT_RULE.control}`],
      [{ givenNames: 'Ada \ud800' }, `givenNames: ${TEXT_RULE.surrogate}`],
      [{ familyName: 'Smi\u0007th' }, `familyName: ${TEXT_RULE.control}`],
    ];
    const bad = broken.map(([over]) => person(trialId, over));
    const unusual = ['عبد الله', 'Nguye\u0302\u0303n', 'Smith \u{1F600}', 'Ø'.repeat(200)].map((familyName) =>
      person(trialId, { familyName, givenNames: familyName }),
    );
    await send(producer, t.topics.enrollments, [...bad, ...unusual].map(randomised), enrolKey);
    await send(
      producer,
      t.topics.notifications,
      unusual.map((p) => record(p)),
      recordKey,
    );

    // Each broken randomisation: one dead letter from each consumer, with the same reason.
    const letters = (await readAll(kafka, dlqOf(t.topics.enrollments), 2 * bad.length, 30_000)).map((d) => d.value as Json);
    for (const [i, p] of bad.entries()) {
      const mine = letters.filter((l) => (l.source as Json).key === enrolKey({ trialId, patientId: p.patientId }));
      expect(mine.map((l) => String(l.consumer)).sort()).toEqual([`linkage-${trialId}`, `projector-${trialId}`].sort());
      for (const l of mine) expect(l).toMatchObject({ code: 'invalid-message', reason: broken[i][1] });
    }

    // Every unusual name: its death links, and the projector counts the patient and the death.
    await eventually(
      async () => {
        const linked = new Set(outcomes?.seen.filter((o) => o.type === 'DeathLinked').map((o) => o.patientId));
        return unusual.every((p) => linked.has(p.patientId)) ? true : undefined;
      },
      'a DeathLinked for every unusual name',
      30_000,
    );
    const listing = await eventually(
      async () => {
        const l = await getTrial(ds, trialId).catch(() => undefined);
        return l && l.deaths === unusual.length ? l : undefined;
      },
      "the projector counting the unusual names' deaths",
      30_000,
    );
    expect(listing).toMatchObject({ randomised: unusual.length, deaths: unusual.length });
  });
});
