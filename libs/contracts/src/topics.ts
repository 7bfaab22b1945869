/**
 * Topic names and settings. Tests run the same code against a private prefix
 * (`topicNames('t123-')`) so suites never see each other's messages.
 */
export interface TopicNames {
  enrollments: string;
  notifications: string;
  outcomes: string;
  reviews: string;
}

export function topicNames(prefix = ''): TopicNames {
  return {
    enrollments: `${prefix}trial.enrollments`,
    notifications: `${prefix}registry.notifications`,
    outcomes: `${prefix}followup.outcomes`,
    reviews: `${prefix}linkage.reviews`,
  };
}

export const dlqOf = (topic: string): string => `${topic}.dlq`;

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** -1 keeps every message: these topics are the event log. */
  retentionMs: number;
}

/** Every topic the pipeline uses, with explicit settings. Event logs keep everything. */
export function topicSpecs(names: TopicNames, partitions = 6): TopicSpec[] {
  const logs = [names.enrollments, names.notifications, names.outcomes, names.reviews];
  const week = 7 * 24 * 3600 * 1000;
  return [
    ...logs.map((topic) => ({ topic, numPartitions: partitions, retentionMs: -1 })),
    // DLQs keep a month: long enough for a person to look, not an event log.
    ...logs.map((topic) => ({ topic: dlqOf(topic), numPartitions: 1, retentionMs: 4 * week })),
  ];
}
