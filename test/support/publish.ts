import type { Producer } from 'kafkajs';
import { enrollmentKey, outcomeKey, type EnrollmentEvent, type OutcomeEvent, type TopicNames } from '@trial/contracts';

/**
 * Publishes a trial's events as the services key them: the outcomes first, then the enrolments,
 * so an outcome can overtake its patient's randomisation as it may in production.
 */
export async function publishEvents(producer: Producer, topics: TopicNames, enrolments: EnrollmentEvent[], outcomes: OutcomeEvent[]): Promise<void> {
  if (outcomes.length)
    await producer.send({ topic: topics.outcomes, acks: -1, messages: outcomes.map((e) => ({ key: outcomeKey(e), value: JSON.stringify(e) })) });
  if (enrolments.length)
    await producer.send({
      topic: topics.enrollments,
      acks: -1,
      messages: enrolments.map((e) => ({ key: enrollmentKey(e), value: JSON.stringify(e) })),
    });
}
