// The HTTP phase of the fuzz, against the running services: the hostile requests of
// http-probes.ts, the bad files of files.ts uploaded and given to `followup ingest`, a trial
// with hostile arm labels, then every log line and dead-letter reason grepped for a credential
// or an identifier, and the audit chain verified.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, openAsBlob, readFileSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Kafka, Producer } from 'kafkajs';
import { TopicNames } from '@trial/contracts';
import { projectRoot } from '@trial/config';
import { readDeadLetters } from './collect';
import { nhsNumberFrom } from '../../apps/cli/src/demo/small-trial';
import { hostileExtract } from './files';
import { ProbeSeen, byArmFigures, checkAnswers, hostileProbes, leaks, tokens } from './http-probes';

export interface HttpPhaseOptions {
  ports: { api: number; ingest: number };
  /** Process ids of the services, for the ingest's peak memory. */
  pids: { ingest: number | undefined };
  secret: string;
  trialId: string;
  reviewId: string;
  /** Every arm label of every trial the run registered. */
  armLabels: string[];
  /** Personal identifiers of the run's messages (the hostile file's are added here). */
  identifiers: string[];
  /** Bytes of the one huge field of the uploaded extract (600 MB field, 200 MB line). */
  hugeLineBytes: number;
  env: { KAFKA_BROKERS: string; DATABASE_URL: string; TOPIC_PREFIX: string };
  kafka: Kafka;
  producer: Producer;
  topics: TopicNames;
  /** The services' log files, each with the offset this run's lines start at. */
  logs: Array<{ file: string; from: number }>;
  scratch: string;
  log: (line: string) => void;
}

export interface HttpPhaseResult {
  failures: string[];
  probes: number;
  statuses: Record<string, number>;
  ingestPeakRssMiB: number | null;
  logLines: number;
  auditChain: 'verified' | 'broken' | 'absent';
}

async function send(base: string, p: ProbeSeen['probe'], timeoutMs: number): Promise<ProbeSeen> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const res = await fetch(`${base}${p.path}`, { method: p.method, headers: p.headers, body: p.body, signal: ac.signal, redirect: 'manual' });
    // A stream that opened (200, text/event-stream) is not read: it would never end.
    const streaming = (res.headers.get('content-type') ?? '').includes('text/event-stream');
    const body = streaming ? '' : await res.text();
    return { probe: p, status: res.status, body };
  } catch (e) {
    return { probe: p, status: 0, body: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

/** Peak resident memory of a process (Linux VmHWM), MiB; null where /proc has none. */
function peakRss(pid: number | undefined): number | null {
  if (pid === undefined || !existsSync(`/proc/${pid}/status`)) return null;
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

function run(cmd: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cmd, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function runHttpPhase(o: HttpPhaseOptions): Promise<HttpPhaseResult> {
  const failures: string[] = [];
  const api = `http://127.0.0.1:${o.ports.api}`;
  const ingest = `http://127.0.0.1:${o.ports.ingest}`;
  await mkdir(o.scratch, { recursive: true });

  // 0. A trial whose arm labels once unblinded: refused at registration, or
  // shown to the monitor as one pooled group of all its patients.
  const labels = await labelledTrial(o, api);
  failures.push(...labels);

  // 1. The hostile requests, a few at a time.
  const probes = hostileProbes({ secret: o.secret, trialId: o.trialId, reviewId: o.reviewId, now: Date.now });
  const seen: ProbeSeen[] = [];
  for (let i = 0; i < probes.length; i += 8) {
    seen.push(...(await Promise.all(probes.slice(i, i + 8).map((p) => send(p.service === 'api' ? api : ingest, p, 20_000)))));
  }
  failures.push(...checkAnswers(seen));
  for (const s of seen) {
    if (!s.probe.monitor || s.status !== 200) continue;
    let body: unknown;
    try {
      body = JSON.parse(s.body);
    } catch {
      continue;
    }
    const found = byArmFigures(body, o.armLabels);
    if (found.length) failures.push(`monitor: ${s.probe.what} shows by-arm figures: ${found.slice(0, 3).join('; ')}`);
  }
  const statuses: Record<string, number> = {};
  for (const s of seen) statuses[String(s.status)] = (statuses[String(s.status)] ?? 0) + 1;
  o.log(
    `http: ${seen.length} hostile requests: ${Object.entries(statuses)
      .map(([k, v]) => `${v}× ${k}`)
      .join(', ')}`,
  );

  // 2. The bad files: uploaded, and given to `followup ingest`, each expected row for row.
  const tk = tokens(o.secret, Date.now());
  const extract = hostileExtract(`HX${Date.now().toString(36)}`, o.hugeLineBytes);
  const identifiers = [...o.identifiers, ...extract.identifiers];
  const path = join(o.scratch, 'hostile-extract.csv');
  await pipeline(extract.input(), createWriteStream(path));
  const rssBefore = peakRss(o.pids.ingest);
  const form = new FormData();
  form.append('source', 'ONS');
  form.append('extractedOn', '2011-10-02');
  form.append('file', await openAsBlob(path, { type: 'text/csv' }), 'hostile-extract.csv');
  const said: string[] = [];
  const expectSummary = (
    how: string,
    summary: { published?: number; rejected?: number; warnings?: number; firstRejects?: Array<{ line: number; field: string }> },
  ) => {
    const want = { published: extract.valid.length, rejected: extract.rejects.length, warnings: extract.warned.length };
    const got = { published: summary.published, rejected: summary.rejected, warnings: summary.warnings };
    if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`files: ${how}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    const lines = (summary.firstRejects ?? []).map((r) => `${r.line}:${r.field}`).join(' ');
    const wantLines = extract.rejects.map((r) => `${r.line}:${r.field}`).join(' ');
    if (lines !== wantLines) failures.push(`files: ${how}: rejects at ${lines}, expected ${wantLines}`);
  };
  const upload = await fetch(`${ingest}/registry/extracts`, { method: 'POST', headers: { authorization: `Bearer ${tk.ingest}` }, body: form }).catch(
    (e: unknown) => e as Error,
  );
  if (upload instanceof Error) failures.push(`files: POST /registry/extracts of the hostile extract: no answer (${upload.message})`);
  else {
    const text = await upload.text();
    said.push(text);
    if (upload.status !== 200)
      failures.push(`files: POST /registry/extracts of the hostile extract answered ${upload.status}: ${text.slice(0, 200)}`);
    else expectSummary('POST /registry/extracts', JSON.parse(text) as Parameters<typeof expectSummary>[1]);
  }
  const rssAfter = peakRss(o.pids.ingest);
  o.log(
    `http: hostile extract (${(statSync(path).size / 2 ** 20).toFixed(1)} MiB, one field of ${(o.hugeLineBytes / 2 ** 20).toFixed(0)} MiB) uploaded; ingest peak RSS ${rssBefore?.toFixed(0) ?? '?'} -> ${rssAfter?.toFixed(0) ?? '?'} MiB`,
  );
  // A field of hundreds of MiB must not be held: the peak may not grow by half the field.
  if (rssBefore !== null && rssAfter !== null && o.hugeLineBytes >= 64 * 2 ** 20 && rssAfter - rssBefore > o.hugeLineBytes / 2 ** 21) {
    failures.push(
      `files: the ingest service's peak memory grew ${(rssAfter - rssBefore).toFixed(0)} MiB on a ${(o.hugeLineBytes / 2 ** 20).toFixed(0)} MiB field`,
    );
  }
  const cli = join(projectRoot(), 'bin', 'followup.js');
  const rejectsPath = join(o.scratch, 'hostile.rejects.csv');
  const warningsPath = join(o.scratch, 'hostile.warnings.csv');
  const byCli = await run(
    [cli, 'ingest', '--source', 'ONS', '--extracted-on', '2011-10-02', '--rejects', rejectsPath, '--warnings', warningsPath, path],
    { ...o.env, LOG_LEVEL: 'info' },
  );
  said.push(byCli.stdout, byCli.stderr);
  if (byCli.code !== 0) failures.push(`files: followup ingest of the hostile extract exited ${byCli.code}: ${byCli.stderr.slice(0, 300)}`);
  else {
    expectSummary('followup ingest', JSON.parse(byCli.stdout) as Parameters<typeof expectSummary>[1]);
    said.push(readFileSync(rejectsPath, 'utf8'), readFileSync(warningsPath, 'utf8'));
  }
  await rm(o.scratch, { recursive: true, force: true });

  // 3. Logs, dead-letter reasons, answers, reports: no credential, no identifier.
  const logLines = o.logs.flatMap(({ file, from }) => (existsSync(file) ? readFileSync(file).subarray(from).toString('utf8').split('\n') : []));
  const { letters } = await readDeadLetters(o.kafka, o.topics);
  const reasons = letters.map((l) => `${l.consumer}: ${l.code}: ${l.reason}`);
  // Answers are grepped for credentials only (a reviewer is shown the candidates' identifiers by design), and
  // only 2xx ones: a 404 that echoes the caller's own URL gives nothing away. The ingest summaries and reports
  // (they go to the registry) for both.
  const answers = seen.filter((s) => s.status >= 200 && s.status < 300).map((s) => s.body);
  const secrets = Object.values(tk).concat(Object.values(tokens(o.secret, Date.now())));
  const checks: Array<[string, string[], string[]]> = [
    ['log line', logLines, identifiers],
    ['dead-letter reason', reasons, identifiers],
    ['answer', answers, []],
    ['ingest summary or report', said.flatMap((s) => s.split('\n')), identifiers],
  ];
  for (const [where, lines, ids] of checks) {
    const found = leaks(lines, secrets, ids);
    if (found.length) failures.push(`leak: ${found.length} ${where}(s) with ${found.slice(0, 5).join(' | ')}`);
  }
  o.log(
    `http: grepped ${logLines.length} log lines, ${reasons.length} dead-letter reasons and ${answers.length + said.length} answers and reports for ${secrets.length} tokens and ${identifiers.length} identifiers`,
  );

  // 4. The audit chain. A build without `followup audit verify` fails: a check skipped is not one passed.
  let auditChain: HttpPhaseResult['auditChain'] = 'absent';
  if (existsSync(join(projectRoot(), 'dist', 'apps', 'cli', 'src', 'commands', 'audit.js'))) {
    const v = await run([cli, 'audit', 'verify'], { DATABASE_URL: o.env.DATABASE_URL });
    auditChain = v.code === 0 ? 'verified' : 'broken';
    if (v.code !== 0) failures.push(`audit: followup audit verify exited ${v.code}: ${v.stderr.slice(0, 300)}`);
    else o.log(`http: ${v.stdout.trim()}`);
  } else {
    failures.push(
      'audit: the build has no `followup audit verify` (dist/apps/cli/src/commands/audit.js): run npm run build; the audit chain was not verified',
    );
  }
  return { failures, probes: seen.length, statuses, ingestPeakRssMiB: rssAfter, logLines: logLines.length, auditChain };
}

/** Arms `all` and `__proto__`, three patients in one and one in the other. */
async function labelledTrial(o: HttpPhaseOptions, api: string): Promise<string[]> {
  const trialId = `FZ-LABELS-${Date.now().toString(36)}`;
  const arms = ['all', '__proto__'];
  const registered = {
    v: 1,
    type: 'TrialRegistered',
    eventId: `${trialId}-registered`,
    trialId,
    title: 'hostile arm labels',
    arms,
    referenceArm: 'all',
    plannedEvents: 10,
    alpha: 0.05,
    sided: 2,
    looks: [1],
    spending: 'obrien-fleming',
  };
  const patients = [0, 1, 2, 3].map((i) => ({
    v: 1,
    type: 'PatientRandomised',
    eventId: `${trialId}-p${i}`,
    trialId,
    patientId: `L${i}`,
    arm: arms[i < 3 ? 0 : 1],
    randomisedOn: '2009-01-0' + (i + 1),
    site: 'S1',
    nhsNumber: null,
    chiNumber: null,
    dateOfBirth: '1950-01-01',
    sex: 'F',
    familyName: `LABEL${i}`,
    givenNames: 'X',
    postcode: 'AB1 2CD',
  }));
  // A number is required: the demo's numbers from an unused stretch.
  patients.forEach((p, i) => ((p as { nhsNumber: string | null }).nhsNumber = nhsFor(i)));
  await o.producer.send({
    topic: o.topics.enrollments,
    messages: [registered, ...patients].map((m) => ({ key: `${trialId}:${'patientId' in m ? m.patientId : ''}`, value: JSON.stringify(m) })),
  });
  const monitor = tokens(o.secret, Date.now()).monitor;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${api}/trials/${encodeURIComponent(trialId)}/survival`, { headers: { authorization: `Bearer ${monitor}` } }).catch(
      () => null,
    );
    const body = res && res.status === 200 ? ((await res.json()) as { groups?: Array<{ group: string; n: number }> }) : null;
    const n = body?.groups?.reduce((s, g) => s + g.n, 0) ?? 0;
    if (body && n >= 4) {
      const found = byArmFigures(body, arms);
      if ((body.groups ?? []).length !== 1 || n !== 4)
        found.push(`groups ${JSON.stringify(body.groups?.map((g) => [g.group, g.n]))}, expected one group of 4`);
      return found.map((f) => `labels: trial with arms all and __proto__: the monitor's read-out ${f}`);
    }
    if (Date.now() > deadline) {
      // Never registered (its labels refused) or never complete: either way nothing by arm was shown.
      o.log(
        `labels: trial with arms all and __proto__: ${res ? res.status : 'no answer'}${body ? `, ${n} patients` : ''} (refused at registration, or not all applied)`,
      );
      return body && n > 0 && n !== 4 ? [`labels: the monitor's read-out counts ${n} of the 4 patients`] : [];
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

const nhsFor = (i: number): string => nhsNumberFrom(733_000_000 + i * 7_919);
