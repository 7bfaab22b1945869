// Three kinds of test, named by kind (see README): unit (*.spec.ts, no I/O),
// int (*.int-spec.ts, real Postgres and Kafka) and e2e (test/e2e, the whole path).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
// The module map comes from tsconfig.json's paths, so a library added there resolves in jest too.
// (tsconfig.json is JSON without comments, so require reads it.)
const { compilerOptions } = require('./tsconfig.json');
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([name, [target]]) => [
    `^${escape(name).replace('\\*', '(.*)')}$`,
    `<rootDir>/${target.replace('*', '$1')}`,
  ]),
);
const common = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.infra/'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,demo,bench}/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/slow.setup.ts'],
      slowTestThreshold: 30,
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/slow.setup.ts'],
      slowTestThreshold: 60,
    },
  ],
};
