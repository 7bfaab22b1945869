import { createHash } from 'node:crypto';

/**
 * A UUID-shaped id derived from its parts: the same input always yields the same id, so an
 * event re-derived after a crash or a replay is recognisably the same event downstream. This is
 * how the decider stays pure with ids of its own: they are a function of the command and state.
 */
export function deterministicId(...parts: Array<string | number>): string {
  const h = createHash('sha256').update(parts.map(String).join('\u001f')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
