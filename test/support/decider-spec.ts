import type { Decider, Result } from '@trial/contracts';

/**
 * A decider's specification, Emmett style: `given` the events that happened (folded by the
 * decider's own evolve from its initial state), `when` a command is decided, `then` the events
 * it records, or `thenRejects` with the rejection (a partial match: a code, an id).
 * One helper for every decider spec, so they all read the same way.
 */
export function deciderSpec<C, E, S, R>(decider: Decider<C, E, S, R>) {
  return {
    given(...events: E[]) {
      return givenState(decider, events.reduce(decider.evolve, decider.initialState()));
    },
    /** A state built some other way (a row held from before, a state under test). */
    givenState(state: S) {
      return givenState(decider, state);
    },
  };
}

function givenState<C, E, S, R>(decider: Decider<C, E, S, R>, state: S) {
  return {
    state,
    when(command: C) {
      const result: Result<E[], R> = decider.decide(command, state);
      return {
        result,
        /** The events recorded, and the state they evolve to. */
        then(expected: E[]): S {
          expect(result).toEqual({ ok: true, value: expected });
          return after(decider, state, result);
        },
        /** Events matched partially (ids and times derived inside the decider need not be spelt out). */
        thenMatches(expected: Array<Partial<E> | object>): S {
          expect(result).toMatchObject({ ok: true, value: expected });
          if (result.ok) expect(result.value).toHaveLength(expected.length);
          return after(decider, state, result);
        },
        thenRejects(error: Partial<R> | object): void {
          expect(result).toMatchObject({ ok: false, error });
        },
      };
    },
  };
}

function after<C, E, S, R>(decider: Decider<C, E, S, R>, state: S, result: Result<E[], R>): S {
  return result.ok ? result.value.reduce(decider.evolve, state) : state;
}
