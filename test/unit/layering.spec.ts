import { ESLint } from 'eslint';
import { join } from 'node:path';

// The lint configuration holds DESIGN.md's layering: these probes are linted as if they were
// files of each library (lintText with a path; nothing is written), and must be refused.
const root = join(__dirname, '../..');
// The config itself, loaded with require (ESLint's own loader uses import(), which jest's
// CommonJS runtime cannot run).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: require('../../eslint.config.cjs') });

async function restricted(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(root, path) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint: DESIGN.md layering', () => {
  it.each([
    ['libs/survival/src/probe.ts', "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n"],
    ['libs/linkage/src/probe.ts', "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n"],
    ['libs/readmodel/src/probe.ts', "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n"],
    ['libs/contracts/src/probe.ts', "import { decide } from '@trial/linkage';\nexport const x = decide;\n"],
    ['libs/linkage/src/probe.ts', "import { readRegistry } from '@trial/registry';\nexport const x = readRegistry;\n"],
    ['libs/survival/src/probe.ts', "import { x as y } from '../../linkage/src/index';\nexport const x = y;\n"],
  ])(
    'refuses in %s: %j',
    async (path, source) => {
      expect((await restricted(path, source)).length).toBeGreaterThan(0);
    },
    30_000,
  );

  it.each([
    ['libs/registry/src/probe.ts', "import { isValidNhsNumber } from '@trial/linkage';\nexport const x = isValidNhsNumber;\n"],
    ['libs/readmodel/src/probe.ts', "import { coxFit } from '@trial/survival';\nexport const x = coxFit;\n"],
    ['libs/storage/src/probe.ts', "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n"],
  ])(
    'allows in %s: %j',
    async (path, source) => {
      expect(await restricted(path, source)).toEqual([]);
    },
    30_000,
  );
});
