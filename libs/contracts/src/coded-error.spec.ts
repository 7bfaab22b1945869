import { CodedError, isCodedError } from './coded-error';

type ShelfCode = 'empty' | 'full';
class ShelfError extends CodedError<ShelfCode> {}

describe('CodedError', () => {
  it('keeps its code and message and is named after its family', () => {
    const e = new ShelfError('empty', 'nothing on the shelf');
    expect(e).toBeInstanceOf(Error);
    expect([e.code, e.message, e.name]).toEqual(['empty', 'nothing on the shelf', 'ShelfError']);
  });

  it('is recognised by its guard, by code when codes are given', () => {
    const e: unknown = new ShelfError('full', 'no room');
    expect(isCodedError(e)).toBe(true);
    expect(isCodedError(e, ['full'])).toBe(true);
    expect(isCodedError(e, ['empty'])).toBe(false);
    if (isCodedError(e, ['full', 'empty'] as const)) {
      const code: ShelfCode = e.code; // narrowed: compiles only if the guard narrows
      expect(code).toBe('full');
    }
  });

  it('does not take a plain object or a plain Error with a code for one', () => {
    expect(isCodedError({ code: 'full', message: 'x' })).toBe(false);
    expect(isCodedError(Object.assign(new Error('x'), { code: 'full' }), ['full'])).toBe(false);
  });
});
