import { CodedError } from '@trial/contracts';

/** Expected failures of the read side, mapped to HTTP in one place (the API's filter). */
export type ReadErrorCode = 'trial-not-found' | 'not-yet-projected' | 'readout-unavailable' | 'invalid-query' | 'look-not-found';
export class ReadError extends CodedError<ReadErrorCode> {}
