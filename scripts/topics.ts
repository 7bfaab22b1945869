// Creates the pipeline's topics (and their DLQs) with explicit settings; used by `infra.sh up`.
import { loadConfig } from '@trial/config';
import { topicNames, topicSpecs } from '@trial/contracts';
import { createKafka, ensureTopics } from '@trial/messaging';

async function main(): Promise<void> {
  const config = loadConfig();
  const kafka = createKafka(config.KAFKA_BROKERS, 'infra-topics', (level, msg) => {
    if (level === 'error') process.stderr.write(`${msg}\n`);
  });
  const specs = topicSpecs(topicNames(config.TOPIC_PREFIX));
  // infra.sh passes the factor it built the cluster for (1, or 3 for KAFKA_BROKERS=3); without
  // it ensureTopics derives it from the brokers the cluster reports.
  const factor = process.env.KAFKA_REPLICATION_FACTOR ? Number(process.env.KAFKA_REPLICATION_FACTOR) : undefined;
  if (factor !== undefined && !(Number.isInteger(factor) && factor >= 1))
    throw new Error(`KAFKA_REPLICATION_FACTOR must be a positive integer, not ${process.env.KAFKA_REPLICATION_FACTOR}`);
  const created = await ensureTopics(kafka, specs, { replicationFactor: factor });
  process.stderr.write(`[infra] topics: ${specs.length} present${created.length ? `, created ${created.join(', ')}` : ''}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`[infra] topic creation failed: ${(e as Error).message}\n`);
  process.exit(1);
});
