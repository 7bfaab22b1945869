import { textArray } from './store';

describe('textArray (lk_records.keys by COPY)', () => {
  it('quotes every element, so commas, spaces and braces in a key stay inside it', () => {
    expect(textArray(['n:9434765919', 's:TF16 2', 'p:A,B', '{x}'])).toBe('{"n:9434765919","s:TF16 2","p:A,B","{x}"}');
  });

  it('escapes a double quote and a backslash within an element', () => {
    expect(textArray(['f:O"BRIEN', 'g:A\\B'])).toBe('{"f:O\\"BRIEN","g:A\\\\B"}');
  });

  it('writes no elements as the empty array', () => {
    expect(textArray([])).toBe('{}');
  });
});
