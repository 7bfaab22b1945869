import { CodedError } from '@trial/contracts';

/** The environment does not configure the service: it names each bad variable. One of the CodedError family. */
export class ConfigError extends CodedError<'invalid-config'> {
  constructor(message: string) {
    super('invalid-config', message);
  }
}
