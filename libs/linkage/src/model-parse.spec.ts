import { parseModel } from './model';

/**
 * A stored model that is not JSON: V8's message quotes the input's first characters
 * (`Unexpected token 'S', "Smith 9434"... is not valid JSON`), and a reason must never carry
 * what it was given.
 */
describe('parseModel of text that is not JSON', () => {
  it.each(['Smith 9434765919 SW1A 1AA', '{"familyName": Smith}', '{"x": 1} Smith'])('%s: the reason quotes none of it', (text) => {
    const r = parseModel(text);
    expect(r).toMatchObject({ ok: false, code: 'invalid-model' });
    const reason = r.ok ? '' : r.reason;
    expect(reason).toMatch(/^not JSON: /);
    for (const part of ['Smith', '9434', 'SW1A', 'familyName']) expect(reason).not.toContain(part);
  });
});
