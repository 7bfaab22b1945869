import type { Result } from './parse';

/**
 * A service's decision as Emmett shapes it: `decide` turns a command and the current state into
 * the events that record it (or a rejection, as a value), `evolve` folds one event into the
 * state, and `initialState` is where every fold starts. All three are pure: time and ids come
 * in with the command, so replaying the same events always gives the same state.
 */
export interface Decider<Command, Event, State, Rejection = never> {
  decide(command: Command, state: State): Result<Event[], Rejection>;
  evolve(state: State, event: Event): State;
  initialState(): State;
}
