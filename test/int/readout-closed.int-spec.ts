import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import { outcomeKey, type OutcomeEvent } from '@trial/contracts';
import { signToken } from '@trial/auth';
import { eventually } from '../support';
import { closedTrial, SECRET } from './readout/closed-trial';

const ROOT = join(__dirname, '..', '..');
type Row = Record<string, string>;

/**
 * The closed report through the real broker and database: a v2 trial (region strata, sex, age
 * band and region subgroups, CVDEATH), deaths of several causes, a cause recoded by an
 * amendment (lung cancer to myocardial infarction) and a death cancelled. GET
 * /trials/:id/survival gives the dsmb `stratified`, `subgroups` and `endpoints.CVDEATH
 * .competingRisks` equal to `followup stats` on the ADTTE export (now, at a data cutoff and
 * as of an instant), and a monitor the pooled cut only.
 */
describe('closed-report read-out (projector + API, real Kafka and Postgres)', () => {
  const t = closedTrial('closed', 60, [
    { variable: 'sex', from: 'sex' },
    { variable: 'age75', from: 'age', cuts: [75] },
    { variable: 'region', from: 'stratum' },
  ]);
  const { trialId, get, outcome, ref, scratch } = t;

  type Json = Record<string, unknown>;
  const names: Record<string, string> = { SEX: 'sex', AGEGR1: 'age75', REGION: 'region' };

  /** `followup stats` (the CLI, as a user runs it) on the ADTTE export's rows of one PARAMCD. */
  async function stats(dataCutoff: string | null, paramcd: string, dir: string): Promise<Json> {
    const r = await get(`/trials/${trialId}/adam${dataCutoff ? `?dataCutoff=${dataCutoff}` : ''}`, 'dsmb');
    const text = Buffer.from(unzipSync(new Uint8Array(await r.arrayBuffer()))['adtte.csv']).toString('utf8');
    const rows = parse(text, { columns: true }) as Row[];
    const header = Object.keys(rows[0]);
    const file = join(dir, `${paramcd}-${dataCutoff ?? 'now'}.csv`);
    const lines = rows.filter((x) => x.PARAMCD === paramcd).map((x) => header.map((h) => JSON.stringify(x[h])).join(','));
    writeFileSync(file, `${header.join(',')}\n${lines.join('\n')}\n`);
    const cli = [
      'test/support/run-ts.js',
      'apps/cli/src/main.ts',
      'stats',
      file,
      '--time',
      'AVAL',
      '--event',
      'EVENT',
      '--group',
      'TRTP',
      '--reference',
      'control',
      '--at',
      '365,1000',
      '--strata',
      'REGION',
      '--subgroups',
      'SEX,AGEGR1,REGION',
      '--cause',
      '1',
      '--json',
    ];
    return JSON.parse((await promisify(execFile)(process.execPath, cli, { cwd: ROOT, encoding: 'utf8' })).stdout) as Json;
  }

  function expectSameAsStats(readout: Json, cli: Json): void {
    const s = cli.stratified as { strata: string[] };
    expect(readout.stratified).toEqual({ ...s, strata: s.strata.map((x) => names[x]) });
    expect(readout.subgroups).toEqual((cli.subgroups as Array<{ variable: string }>).map((x) => ({ ...x, variable: names[x.variable] })));
    expect((readout.endpoints as Record<string, Json>).CVDEATH.competingRisks).toEqual(cli.competingRisks);
    // Part 1 is the ACM comparison; the CVDEATH rows treat any death as the event there.
    expect(readout.logRank).toEqual(cli.logRank);
  }

  it('gives the dsmb stratified, subgroup and CVDEATH competing-risks figures equal to followup stats on the ADTTE export', async () => {
    const dir = mkdtempSync(join(scratch, 'now-'));
    const readout = (await (await get(`/trials/${trialId}/survival?at=365,1000`, 'dsmb')).json()) as Json;
    const cv = (readout.endpoints as Record<string, { competingRisks: { fineGray: unknown; groups: Array<{ events: number }> } }>).CVDEATH;
    expect(cv.competingRisks.fineGray).not.toBeNull();
    expectSameAsStats(readout, await stats(null, 'CVDEATH', dir));
    // The amended cause counts: P01 (now I21.0) is a CV death in its arm (IABP).
    const acm = await stats(null, 'ACM', dir);
    expect(readout.stratified).toEqual({ ...(acm.stratified as Json), strata: ['region'] });
  });

  it('does so at a data cutoff too', async () => {
    const dir = mkdtempSync(join(scratch, 'cutoff-'));
    const readout = (await (await get(`/trials/${trialId}/survival?at=365,1000&dataCutoff=2009-05-31`, 'dsmb')).json()) as Json;
    expectSameAsStats(readout, await stats('2009-05-31', 'CVDEATH', dir));
  });

  it('as of an instant, from the history, is the read-out now (nothing changed since)', async () => {
    const now = (await (await get(`/trials/${trialId}/survival`, 'dsmb')).json()) as Json;
    const held = (await (await get(`/trials/${trialId}/survival?asOf=${encodeURIComponent(new Date().toISOString())}`, 'dsmb')).json()) as Json;
    for (const k of ['stratified', 'subgroups', 'endpoints']) expect(held[k]).toEqual(now[k]);
  });

  it('after a later amendment of a cause of death (CV to cancer), the figures move and still equal followup stats', async () => {
    const before = (await (await get(`/trials/${trialId}/survival?at=365,1000`, 'dsmb')).json()) as Json;
    const amended: OutcomeEvent = {
      ...outcome('DeathAmended', 5, 'a5'),
      type: 'DeathAmended',
      ...ref(5, 2),
      dateOfDeath: '2009-06-06',
      underlyingCause: 'C34.1',
    };
    await t.producer.send({ topic: t.topics.outcomes, acks: -1, messages: [{ key: outcomeKey(amended), value: JSON.stringify(amended) }] });
    const after = await eventually(
      async () => {
        const r = (await (await get(`/trials/${trialId}/survival?at=365,1000`, 'dsmb')).json()) as Json;
        return r.eventsApplied === (before.eventsApplied as number) + 1 ? r : undefined;
      },
      'the amendment applied',
      60_000,
    );
    type Cr = { groups: Array<{ events: number }> };
    const events = (r: Json) => (r.endpoints as Record<string, { competingRisks: Cr }>).CVDEATH.competingRisks.groups.map((g) => g.events);
    const [c0, i0] = events(before);
    expect(events(after)).toEqual([c0, i0 - 1]);
    expect(after.logRank).toEqual(before.logRank);
    expectSameAsStats(after, await stats(null, 'CVDEATH', mkdtempSync(join(scratch, 'amended-'))));
  });

  it('gives a monitor the pooled cut only: no arm, no comparison, no cause-specific figure by arm', async () => {
    const r = (await (await get(`/trials/${trialId}/survival`, 'monitor')).json()) as Json;
    expect(r.stratified).toBeNull();
    const text = JSON.stringify(r);
    expect(text).not.toMatch(/IABP|control|hazardRatio|coef/);
    const cv = (r.endpoints as Record<string, { competingRisks: { groups: Array<{ group: string }>; gray: null; fineGray: null } }>).CVDEATH;
    expect(cv.competingRisks.groups.map((g) => g.group)).toEqual(['all']);
    expect(cv.competingRisks.fineGray).toBeNull();
    const levels = (r.subgroups as Array<{ levels: Array<Json> }>)[0].levels;
    for (const l of levels) expect(Object.keys(l).sort()).toEqual(['events', 'level', 'n']);
  });

  it("names the trial's endpoints in GET /trials/:id, to the dsmb and a monitor alike (a name is not unblinding)", async () => {
    for (const role of ['dsmb', 'monitor'] as const) {
      const t = (await (await get(`/trials/${trialId}`, role)).json()) as Json;
      expect(t.endpoints).toEqual([{ code: 'CVDEATH', name: 'Cardiovascular death' }]);
    }
  });

  it("pushes a monitor's SSE stream nothing by arm from the closed figures, before and after a change", async () => {
    const ctrl = new AbortController();
    const bearer = signToken(SECRET, { sub: 'monitor-stream', role: 'monitor', ttlSeconds: 600 });
    const res = await fetch(`${t.api}/trials/${trialId}/stream`, { headers: { authorization: `Bearer ${bearer}` }, signal: ctrl.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const pushes: string[] = [];
    let buffer = '';
    const next = async (): Promise<string> => {
      for (;;) {
        const i = buffer.indexOf('\n\n');
        if (i >= 0) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const line = frame.split('\n').find((l) => l.startsWith('data:'));
          if (line) return line.slice(5).trim();
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += new TextDecoder().decode(value);
      }
    };
    try {
      pushes.push(await next());
      // A cause of death recoded (CV to another cause): the closed figures move, and the stream pushes again.
      const amended: OutcomeEvent = {
        ...outcome('DeathAmended', 10, 'a10'),
        type: 'DeathAmended',
        ...ref(10, 2),
        dateOfDeath: '2009-02-02',
        underlyingCause: 'C34.1',
      };
      await t.producer.send({ topic: t.topics.outcomes, acks: -1, messages: [{ key: outcomeKey(amended), value: JSON.stringify(amended) }] });
      pushes.push(await next());
    } finally {
      ctrl.abort();
    }
    const [first, second] = pushes.map((p) => JSON.parse(p) as Json);
    expect((second.eventsApplied as number) - (first.eventsApplied as number)).toBe(1);
    for (const p of pushes) {
      // Neither an arm's label nor a by-arm model's figure, nor any part of the closed report by arm.
      expect(p).not.toMatch(/IABP|control|hazardRatio|coef|fineGray|gray|stratified|interaction/);
    }
    // The dsmb's read-out did move with that amendment (the pushes would have had something to leak).
    const cv = ((await (await get(`/trials/${trialId}/survival`, 'dsmb')).json()) as Json).endpoints as Record<string, Json>;
    expect(JSON.stringify(cv.CVDEATH)).toMatch(/IABP/);
  });
});
