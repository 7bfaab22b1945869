import 'reflect-metadata';
import { configOrExit, runService } from '@trial/platform';
import { linkageModule } from './app.module';

const config = configOrExit('linkage');
runService(linkageModule(config), { service: 'linkage', port: config.LINKAGE_PORT, consumer: 'linkage' });
