// Exits 0 when the broker at KAFKA_BROKERS answers a metadata request (used by infra.sh), and
// when KAFKA_EXPECT_BROKERS is set, only once the cluster it reports has that many brokers.
const expect = Number(process.env.KAFKA_EXPECT_BROKERS || 1);
const { Kafka, logLevel } = require('kafkajs');
const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const admin = new Kafka({ clientId: 'infra-ready', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 2000 }).admin();
admin
  .connect()
  .then(() => admin.describeCluster())
  .then((c) => {
    if (c.brokers.length < expect) throw new Error(`${c.brokers.length} of ${expect} brokers`);
  })
  .then(() => admin.disconnect())
  .then(
    () => process.exit(0),
    () => process.exit(1),
  );
