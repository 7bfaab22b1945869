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
  const created = await ensureTopics(kafka, specs);
  process.stderr.write(`[infra] topics: ${specs.length} present${created.length ? `, created ${created.join(', ')}` : ''}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`[infra] topic creation failed: ${(e as Error).message}\n`);
  process.exit(1);
});
