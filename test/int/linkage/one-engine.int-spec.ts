// One linkage engine, against the real broker and database: the live linkage service
// decides every record as `followup link` decides its row (same engine, same λ), and two
// instances in one consumer group end where one instance ends, record for record, with each
// patient's outcome events in seq order on the topic.
import { randomUUID } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { Client } from 'pg';
import { linkageModule } from '../../../apps/linkage/src/app.module';
import { LinkRow, readCohort, runLink } from '../../../apps/cli/src/commands/link';
import { generate } from '../../../bench/linkage/generate';
import { RegistryRecord, TopicNames } from '@trial/contracts';
import {
  LinkageIndex,
  PatientIdentity,
  PriorCounts,
  defaultModel,
  deterministicMatches,
  estimatePrior,
  holdsRegistryNumber,
  preparePatient,
  prepareRecord,
} from '@trial/linkage';
import { readRegistry } from '@trial/registry';
import { eventually, privateTopics, startInProcess, testConfig, testKafka, TEST_DATABASE_URL, uniqueId } from '../../support';
import { collect } from './fixtures';

type Outcome = { decision: 'linked' | 'review' | 'unlinked'; patientId: string | null };

describe('one engine: the live service and followup link', () => {
  const kafka = testKafka();
  const dir = mkdtempSync(join(tmpdir(), 'one-engine-'));
  const trialId = uniqueId('ENG');
  let db: Client;
  let producer: Producer;
  const patients: PatientIdentity[] = [];
  let current: RegistryRecord[] = [];
  let cohortPath = '';
  let extractPath = '';
  const expected = new Map<string, Outcome>();
  let lambda = 0;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const g = generate({ seed: 23, patients: 400, rows: 2500, layout: 'ons', outDir: dir });
    extractPath = g.extractPath;
    // Patients a PatientRandomised can carry (a number, a sex, a family name, a date), in a cohort of their own for runLink.
    for await (const p of readCohort(g.cohortPath)) {
      if ((p.nhsNumber ?? p.chiNumber) !== null && p.sex !== null && p.familyName !== null && p.dateOfBirth !== null && p.randomisedOn !== null)
        patients.push(p);
    }
    const csv = (v: string | null) => (v === null ? '' : /[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    cohortPath = join(dir, 'cohort-valid.csv');
    writeFileSync(
      cohortPath,
      [
        'trialId,patientId,arm,randomisedOn,nhsNumber,chiNumber,dateOfBirth,sex,familyName,givenNames,postcode',
        ...patients.map((p) =>
          [trialId, p.patientId, 'A', p.randomisedOn, p.nhsNumber, p.chiNumber, p.dateOfBirth, p.sex, p.familyName, p.givenNames, p.postcode]
            .map(csv)
            .join(','),
        ),
      ].join('\n'),
    );
    // The records as the service will hold them: the highest version of each.
    const byId = new Map<string, RegistryRecord>();
    for await (const r of readRegistry(createReadStream(extractPath), { extractedOn: '2024-01-02' })) {
      if (!r.ok) continue;
      const held = byId.get(r.record.recordId);
      if (!held || held.version < r.record.version) byId.set(r.record.recordId, r.record);
    }
    current = [...byId.values()];
    // λ as prior.ts defines it, counted here from the files (Splink's deterministic-rule estimate).
    const index = new LinkageIndex();
    for (const p of patients) index.upsertPatient(p);
    const prepared = current.map((r) => prepareRecord(r));
    const counts: PriorCounts = {
      records: current.length,
      recordsWithNumber: prepared.filter((r) => holdsRegistryNumber(r, 'ONS')).length,
      patients: patients.length,
      patientsWithNumber: patients.filter((p) => holdsRegistryNumber(preparePatient(p), 'ONS')).length,
      deterministic: prepared.filter((r) => deterministicMatches(r, index.candidatesFor(r)).length > 0).length,
    };
    const est = estimatePrior(counts, defaultModel.prior);
    expect(est.basis).toBe('estimated');
    lambda = est.prior;
    // followup link at that λ; each record's expected outcome is its highest version's row.
    const rows: LinkRow[] = [];
    await runLink({ cohort: cohortPath, registry: extractPath, model: { ...defaultModel, prior: lambda }, extractedOn: '2024-01-02' }, (row) => {
      rows.push(row);
    });
    const versions = new Map(current.map((r) => [r.recordId, r.version]));
    for (const row of rows) {
      if (row.decision === 'rejected' || row.recordId === null || versions.get(row.recordId) !== row.version) continue;
      expected.set(row.recordId, { decision: row.decision, patientId: row.decision === 'unlinked' ? null : row.patientId });
    }
    expect(expected.size).toBe(current.length);
  }, 120_000);

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await producer?.disconnect();
    await db?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the patients and records through `instances` linkage services in one group; returns each record's final state and the outcome events. */
  async function throughService(
    instances: number,
  ): Promise<{ prefix: string; topics: TopicNames; states: Map<string, Outcome>; events: Array<Record<string, unknown>> }> {
    const { prefix, topics, drop } = await privateTopics(kafka, `oneengine${instances}`);
    cleanups.push(drop);
    const outcomes = await collect(kafka, topics.outcomes);
    cleanups.push(outcomes.stop);
    const apps: INestApplication[] = [];
    for (let i = 0; i < instances; i++) apps.push((await startInProcess(linkageModule, testConfig(prefix), 'linkage')).app);
    cleanups.push(async () => {
      for (const a of apps) await a.close();
    });
    const enrol = (ps: PatientIdentity[]) =>
      producer.send({
        topic: topics.enrollments,
        acks: -1,
        messages: ps.map((p) => ({
          key: `${trialId}:${p.patientId}`,
          value: JSON.stringify({
            v: 1,
            type: 'PatientRandomised',
            eventId: randomUUID(),
            trialId,
            patientId: p.patientId,
            arm: 'A',
            randomisedOn: p.randomisedOn,
            site: 'S1',
            nhsNumber: p.nhsNumber,
            chiNumber: p.chiNumber,
            dateOfBirth: p.dateOfBirth,
            sex: p.sex,
            familyName: p.familyName,
            givenNames: p.givenNames ?? '',
            postcode: p.postcode,
          }),
        })),
      });
    // Half the patients before the records and half after: both the record path and the
    // patient path (re-deciding records under the new patient's keys) decide.
    const half = Math.floor(patients.length / 2);
    await enrol(patients.slice(0, half));
    for (let i = 0; i < current.length; i += 500) {
      await producer.send({
        topic: topics.notifications,
        acks: -1,
        messages: current.slice(i, i + 500).map((r) => ({ key: `${r.source}:${r.recordId}`, value: JSON.stringify(r) })),
      });
    }
    await enrol(patients.slice(half));
    const caughtUp = async (topic: string, n: number) => {
      const r = await db.query(
        `select coalesce(sum("offset" + 1), 0)::int as n from consumer_checkpoints where consumer = 'linkage' and topic = $1`,
        [topic],
      );
      return (r.rows[0] as { n: number }).n >= n ? true : undefined;
    };
    await eventually(() => caughtUp(topics.enrollments, patients.length), 'enrolments consumed', 120_000);
    await eventually(() => caughtUp(topics.notifications, current.length), 'notifications consumed', 120_000);
    // The λ refresh applies the final λ (every 2 s); once stored, what it re-decided is committed with it.
    await eventually(
      async () => {
        const r = await db.query(`select prior from lk_priors where scope = $1 and trial_id = $2 and source = 'ONS'`, [prefix, trialId]);
        return (r.rows[0] as { prior: number } | undefined)?.prior === lambda ? true : undefined;
      },
      `λ ${lambda} in force`,
      60_000,
    );
    await new Promise((r) => setTimeout(r, 4_500)); // two more refreshes: nothing may move any more
    const rows = (
      await db.query(`select record_id as "recordId", status, patient_id as "patientId" from lk_links where scope = $1 and trial_id = $2`, [
        prefix,
        trialId,
      ])
    ).rows as Array<{ recordId: string; status: Outcome['decision']; patientId: string | null }>;
    const states = new Map<string, Outcome>(current.map((r) => [r.recordId, { decision: 'unlinked', patientId: null }]));
    for (const r of rows) states.set(r.recordId, { decision: r.status, patientId: r.status === 'unlinked' ? null : r.patientId });
    // Outcome events of the final state have reached the topic (the outbox drained).
    await eventually(
      async () => {
        const r = await db.query(`select count(*)::int as n from outbox where topic = $1 and sent_at is null`, [topics.outcomes]);
        return (r.rows[0] as { n: number }).n === 0 ? true : undefined;
      },
      'outbox drained',
      60_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    return { prefix, topics, states, events: [...outcomes.seen] };
  }

  const mismatches = (got: Map<string, Outcome>): string[] =>
    [...expected]
      .filter(([id, e]) => {
        const g = got.get(id);
        return g?.decision !== e.decision || g.patientId !== e.patientId;
      })
      .map(
        ([id, e]) => `${id}: link ${e.decision}/${String(e.patientId)}, service ${String(got.get(id)?.decision)}/${String(got.get(id)?.patientId)}`,
      );

  let one: Awaited<ReturnType<typeof throughService>>;

  it('decides every record as followup link decides its row, under the λ both estimate', async () => {
    one = await throughService(1);
    expect(mismatches(one.states)).toEqual([]);
    const linked = [...expected.values()].filter((e) => e.decision === 'linked').length;
    expect(linked).toBeGreaterThan(50); // the comparison is not about empty decisions
    // Every decision's audit names its λ.
    const nulls = await db.query(`select count(*)::int as n from lk_decisions where scope = $1 and prior is null`, [one.prefix]);
    expect((nulls.rows[0] as { n: number }).n).toBe(0);
  }, 300_000);

  it("ends, with two instances in one group over three partitions, where one instance ends, with each patient's events in seq order", async () => {
    const two = await throughService(2);
    const diff = [...one.states].filter(([id, s]) => two.states.get(id)?.decision !== s.decision || two.states.get(id)?.patientId !== s.patientId);
    expect(diff).toEqual([]);
    expect(mismatches(two.states)).toEqual([]);
    const seqs = new Map<string, number[]>();
    for (const e of two.events) {
      if (typeof e.seq !== 'number') continue;
      const k = `${String(e.trialId)}:${String(e.patientId)}`;
      seqs.set(k, [...(seqs.get(k) ?? []), e.seq]);
    }
    expect(seqs.size).toBeGreaterThan(50);
    const outOfOrder = [...seqs].filter(([, s]) => s.some((x, i) => x !== i + 1));
    expect(outOfOrder).toEqual([]);
  }, 300_000);
});
