import { Kafka, RecordMetadata } from 'kafkajs';
import { enrollmentKey, EnrollmentEvent, notificationKey, RegistryNotification, TopicNames } from '@trial/contracts';
import { createProducer } from '@trial/messaging';

/** Publishes enrolments and notifications with an idempotent producer; returns where they landed. */
export async function publishAll(
  kafka: Kafka,
  topics: TopicNames,
  enrollments: EnrollmentEvent[],
  notifications: RegistryNotification[],
): Promise<RecordMetadata[]> {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    const out: RecordMetadata[] = [];
    if (enrollments.length) {
      out.push(
        ...(await producer.send({
          topic: topics.enrollments,
          acks: -1,
          messages: enrollments.map((e) => ({ key: enrollmentKey(e), value: JSON.stringify(e) })),
        })),
      );
    }
    if (notifications.length) {
      out.push(
        ...(await producer.send({
          topic: topics.notifications,
          acks: -1,
          messages: notifications.map((n) => ({ key: notificationKey(n), value: JSON.stringify(n) })),
        })),
      );
    }
    return out;
  } finally {
    await producer.disconnect();
  }
}

export interface ArmSummary {
  arm: string;
  randomised: number;
  deaths: number;
}

/** Polls the API's summary until `done` holds, or times out with the last answer. */
export async function waitForSummary(
  apiUrl: string,
  token: string,
  trialId: string,
  done: (arms: ArmSummary[]) => boolean,
  timeoutMs = 30_000,
): Promise<ArmSummary[]> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    const res = await fetch(`${apiUrl}/trials/${encodeURIComponent(trialId)}/summary`, { headers: { authorization: `Bearer ${token}` } }).catch(
      () => null,
    );
    if (res?.ok) {
      const body = (await res.json()) as { arms: ArmSummary[] };
      last = body;
      if (done(body.arms)) return body.arms;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`summary of ${trialId} did not settle in ${timeoutMs / 1000} s; last: ${JSON.stringify(last)}`);
}

export function formatSummary(trialId: string, arms: ArmSummary[]): string {
  const rows = arms.map((a) => `  ${a.arm.padEnd(12)}${String(a.randomised).padStart(11)}${String(a.deaths).padStart(8)}`);
  return [
    `${trialId}: per-arm summary (read back from the API)`,
    `  ${'arm'.padEnd(12)}${'randomised'.padStart(11)}${'deaths'.padStart(8)}`,
    ...rows,
  ].join('\n');
}
