import 'reflect-metadata';
import { configOrExit, runService } from '@trial/platform';
import { linkageModule } from './app.module';

const config = configOrExit('linkage');
// Three partition batches at once: one batch's Postgres round trips overlap another's deciding.
// Safe: each batch is its own transaction, and the locking protocol (LinkageApplier) is the
// same between two batches of one instance as between two instances.
// Fetches of up to 4 MB a partition (about 9,000 notifications, against kafkajs' 1 MB): each
// batch pays once for its key locks, patient-index read, checkpoint and commit, and measured
// under the live bench (bench/linkage/live.ts) that cut the service's and Postgres' CPU per
// notification by about a fifth each (two runs back to back). A batch is still one transaction.
runService(linkageModule(config), {
  service: 'linkage',
  port: config.LINKAGE_PORT,
  consumer: 'linkage',
  partitionsConsumedConcurrently: 3,
  fetch: { maxBytesPerPartition: 4 * 2 ** 20, maxBytes: 24 * 2 ** 20 },
});
