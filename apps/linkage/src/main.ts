import 'reflect-metadata';
import { configOrExit, runService } from '@trial/platform';
import { linkageModule } from './app.module';

const config = configOrExit('linkage');
// Three partition batches at once: one batch's Postgres round trips overlap another's deciding.
// Safe: each batch is its own transaction, and the locking protocol (LinkageApplier) is the
// same between two batches of one instance as between two instances.
runService(linkageModule(config), { service: 'linkage', port: config.LINKAGE_PORT, consumer: 'linkage', partitionsConsumedConcurrently: 3 });
