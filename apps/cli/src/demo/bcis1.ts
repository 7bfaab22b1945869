import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, Producer } from 'kafkajs';
import { EnrollmentEvent, TopicNames } from '@trial/contracts';
import { createProducer } from '@trial/messaging';
import { ingestExtract } from '@trial/ingest';
import { AwaitingReview, ExtractStep, ReviewDecision, Step } from '../../../../demo/manifest';
import { Api } from './api-client';
import { takeDueLook } from './looks';

/** The demo's manifest (demo/data/manifest.json): the replay, step by step, in time order. */
export interface Manifest {
  trialId: string;
  seed: number;
  enrollments: string;
  expected: string;
  steps: Step[];
  /** Registrations the replay leaves in the review queue (demo/review-cases.ts). */
  awaitingReview: AwaitingReview[];
}

export function readManifest(dataDir: string): Manifest {
  return JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as Manifest;
}

export interface ReplayOptions {
  kafka: Kafka;
  topics: TopicNames;
  dataDir: string;
  api: Api;
  /** 1 plays the trial's six years in about a minute; 2 in half that. */
  speed: number;
  /** The design's planned information fractions: the DSMB takes a look as each is reached. */
  plannedLooks?: readonly number[];
  /**
   * How long a review step waits for the linkage to queue each record it may decide (default
   * 15 s); past it, the record needs no decision. A test replaying fast waits less.
   */
  reviewWaitMs?: number;
  print: (line: string) => void;
  /**
   * Resolves once the pipeline has applied all that was published (idle.ts awaitIdle), before
   * an extract's tally is read and a look is decided on: the looks are then the same whatever
   * the machine's speed. None: read at once.
   */
  settle?: () => Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Replays the BCIS-1-shaped trial through the real pipeline in time order: enrolment events
 * onto trial.enrollments, each registry extract through the ingest path onto
 * registry.notifications (then extract-complete), and the clerical review decisions through
 * the API, as a reviewer would; after an extract, the DSMB's look when the next planned
 * information fraction is reached. Simulated time is compressed to about a minute at speed 1.
 */
export async function replayTrial(o: ReplayOptions): Promise<void> {
  const manifest = readManifest(o.dataDir);
  const lines = readFileSync(join(o.dataDir, manifest.enrollments), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { on: string; key: string; event: EnrollmentEvent });
  const first = Date.parse(manifest.steps[0].on);
  const span = Date.parse(manifest.steps[manifest.steps.length - 1].on) - first;
  const msPerSimDay = 60_000 / Math.max(span / DAY_MS, 1) / o.speed;
  const producer = createProducer(o.kafka);
  await producer.connect();
  const started = Date.now();
  try {
    for (const step of manifest.steps) {
      const due = started + ((Date.parse(step.on) - first) / DAY_MS) * msPerSimDay;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      switch (step.kind) {
        case 'enrolments': {
          const batch = lines.slice(step.firstLine - 1, step.lastLine);
          await producer.send({
            topic: o.topics.enrollments,
            acks: -1,
            messages: batch.map((l) => ({ key: l.key, value: JSON.stringify(l.event) })),
          });
          break;
        }
        case 'extract': {
          o.print(await extractLine(o, producer, step));
          const look = o.plannedLooks ? await takeDueLook(o.api, o.plannedLooks) : null;
          if (look !== null) o.print(look.line);
          break;
        }
        case 'review':
          o.print(await reviewLine(o, step.decisions));
          break;
        default: {
          const never: never = step;
          throw new Error(`unknown step ${JSON.stringify(never)}`);
        }
      }
    }
  } finally {
    await producer.disconnect();
  }
}

async function extractLine(o: ReplayOptions, producer: Producer, step: ExtractStep): Promise<string> {
  // The same path as `followup ingest --source S --complete-up-to D FILE`.
  const summary = await ingestExtract({
    input: createReadStream(join(o.dataDir, step.file)),
    source: step.source,
    extractedOn: step.extractedOn,
    completeUpTo: step.completeUpTo,
    producer,
    topics: o.topics,
    file: step.file,
    clock: () => performance.now(),
    failedAt: new Date().toISOString(),
  });
  await o.settle?.();
  const deaths = await o.api.deathsByArm().catch(() => null);
  const tally = deaths
    ? Object.entries(deaths)
        .map(([arm, n]) => `${arm} ${n}`)
        .join(', ')
    : 'pending';
  return (
    `${step.on}  ${step.file.replace(/^extracts\//, '').padEnd(22)} ${String(summary.published).padStart(5)} rows` +
    `${summary.rejected ? ` (${summary.rejected} rejected)` : ''}  complete to ${step.completeUpTo}  deaths so far: ${tally}`
  );
}

/**
 * Applies a reviewer's decisions to the review items the linkage raised for those records.
 * A record the linkage settled on its own needs no decision, so it is skipped.
 */
async function reviewLine(o: ReplayOptions, decisions: ReviewDecision[]): Promise<string> {
  const done: string[] = [];
  for (const d of decisions) {
    const item = await o.api.waitForReview(d.source, d.recordId, o.reviewWaitMs ?? 15_000);
    if (!item) {
      done.push(`${d.recordId}: no review needed`);
      continue;
    }
    await o.api.decideReview(item, d.decision, d.patientId, d.why);
    done.push(`${d.recordId}: ${d.decision}${d.patientId ? ` -> ${d.patientId}` : ''}`);
  }
  return `            clerical review: ${done.join('; ')}`;
}
