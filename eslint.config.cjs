// ESLint (flat config): the layering of ../shared/DESIGN.md as import rules, plus the habits
// the code already keeps (no `any`, strict equality). Run by `npm run lint`, which .ci/run calls.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const frameworks = ['@nestjs/*', 'typeorm', 'kafkajs', 'pg', 'express', 'nestjs-pino', 'pino', 'pino-http', 'multer'];
const ours = [
  'contracts',
  'survival',
  'linkage',
  'followup',
  'registry',
  'readmodel',
  'messaging',
  'storage',
  'platform',
  'config',
  'auth',
  'projection',
  'linkage-service',
  'ingest',
];

/** Imports a library may not make: every framework, and every library of ours but `allowed`. */
function layer(files, allowed, { pure = true } = {}) {
  const forbidden = ours.filter((l) => !allowed.includes(l)).map((l) => `@trial/${l}`);
  return {
    files,
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...(pure
              ? [{ group: frameworks, message: 'DESIGN.md: domain and statistics code imports no framework (NestJS, TypeORM, kafkajs, pg).' }]
              : []),
            ...(forbidden.length
              ? [
                  {
                    group: forbidden,
                    message: allowed.length
                      ? `DESIGN.md's layering: this library may import only ${allowed.map((a) => `@trial/${a}`).join(', ')}.`
                      : "DESIGN.md's layering: this library imports no library of ours.",
                  },
                ]
              : []),
            {
              group: ['../../*/src/*', '../../../libs/*', '../../libs/*', '../../../apps/*', '../../apps/*'],
              message: 'Import another library by its @trial/ name, never by a path into it.',
            },
          ],
        },
      ],
    },
  };
}

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.infra/**', 'test-output/**', 'apps/api/src/dashboard/static/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      // The one text rule (libs/contracts) and the NUL checks exist to match control characters.
      'no-control-regex': 'off',
      // Flags any method named `apply` (TrialCohort.apply is a fold step, not Function.apply).
      'prefer-spread': 'off',
    },
  },
  // The CLI loads each command's module on demand with require(): `followup stats` must not
  // pay for NestJS, TypeORM and kafkajs that only the pipeline commands need.
  { files: ['apps/cli/src/main.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  layer(['libs/contracts/src/**/*.ts'], []),
  layer(['libs/survival/src/**/*.ts'], []),
  layer(['libs/linkage/src/**/*.ts'], ['contracts']),
  layer(['libs/followup/src/**/*.ts'], ['contracts']),
  layer(['libs/registry/src/**/*.ts'], ['contracts', 'linkage']),
  layer(['libs/readmodel/src/**/*.ts'], ['survival', 'followup', 'contracts']),
  layer(
    ['libs/{messaging,storage,platform,config,auth}/src/**/*.ts'],
    ['contracts', 'survival', 'linkage', 'followup', 'registry', 'readmodel', 'messaging', 'storage', 'platform', 'config', 'auth'],
    { pure: false },
  ),
);
