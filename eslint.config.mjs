// Lint rules that carry the architecture (../shared/STYLE.md):
// - module boundaries by tag: domain is pure, contract sits on domain, adapters on both,
//   apps on everything but other apps, tools on anything;
// - exactly one module may spawn processes (libs/process-runner/src/runner.ts; the lvm,
//   dmsetup and filesystem command layers run their commands through it); tools/ run
//   qemu and friends and are exempt because they never ship;
// - nothing in apps/ or libs/ spells a LogicalVolume API group: the names come from
//   @copse/k8s-crd's name sets (one setting switches topolvm.cybozu.com to topolvm.io);
// - nothing in apps/ or libs/ imports a tools/ package: test servers, test nodes and the CSI
//   stand-ins are test infrastructure and never ship (the tag rules refuse it too; this one
//   says why).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const toolsDir = new URL('./tools/', import.meta.url);
const toolPackages = readdirSync(toolsDir)
  .map((d) => new URL(`${d}/package.json`, toolsDir))
  .filter((f) => existsSync(f))
  .map((f) => JSON.parse(readFileSync(f, 'utf8')).name);
const noToolImports = {
  group: toolPackages.flatMap((name) => [name, `${name}/*`]),
  message: 'tools/ is test infrastructure (test servers, test nodes, CSI stand-ins) and never ships: apps and libs must not import it.',
};
const childProcessPaths = [
  { name: 'child_process', message: 'Only libs/process-runner/src/runner.ts may spawn processes: run commands through @copse/process-runner.' },
  { name: 'node:child_process', message: 'Only libs/process-runner/src/runner.ts may spawn processes: run commands through @copse/process-runner.' },
];
const noChildProcess = {
  'no-restricted-imports': ['error', { paths: childProcessPaths, patterns: [noToolImports] }],
};

const apiGroupLiteral = 'topolvm\\.(io|cybozu\\.com)';
const apiGroupMessage =
  "Take API-group names from @copse/k8s-crd's name set (nameSet(group)), never a literal: one setting switches every name.";
const noApiGroupLiterals = {
  'no-restricted-syntax': [
    'error',
    { selector: `Literal[value=/${apiGroupLiteral}/]`, message: apiGroupMessage },
    { selector: `TemplateElement[value.raw=/${apiGroupLiteral}/]`, message: apiGroupMessage },
  ],
};

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', '.nx/**', 'run/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'] },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:domain', 'type:contract'] },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:contract', 'type:adapter'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:contract', 'type:adapter'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:domain', 'type:contract', 'type:adapter', 'type:app', 'type:tool'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.js', '**/*.cjs'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['apps/**/*.ts', 'libs/**/*.ts'], rules: noChildProcess },
  { files: ['libs/process-runner/src/runner.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [noToolImports] }] } },
  { files: ['apps/**/*.ts', 'libs/**/*.ts'], ignores: ['libs/k8s-crd/**'], rules: noApiGroupLiterals },
  {
    files: ['libs/lvm-model/src/**/*.ts'],
    // specs read their lvm2 fixtures from disk; the library itself stays pure
    ignores: ['libs/lvm-model/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(node:)?(fs|net|http|https|child_process|dgram|dns|tls)(/.*)?$', message: 'lvm-model is pure: no I/O.' },
            noToolImports,
          ],
        },
      ],
    },
  },
];
