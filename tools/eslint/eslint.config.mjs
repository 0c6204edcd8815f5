// Root ESLint flat config: typed rules for every project, plus Nx layer boundaries (see CONVENTIONS.md).
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Packages import each other through their published entry points only, never through another
// package's files: what the workspace compiles is then what a registry install resolves.
const deepImports = {
  group: [
    '@floxide/*/src',
    '@floxide/*/src/**',
    '@floxide/*/dist',
    '@floxide/*/dist/**',
    '**/packages/*/src/**',
  ],
  message: "Import a @floxide package through its entry point ('@floxide/core'), not its files.",
};

// `@floxide/core/engine` holds the step machinery for the distributed engine and the backends (and the
// conformance suites that test them). Code written the way users write it must not depend on it.
const engineImports = {
  group: ['@floxide/core/engine'],
  message:
    "@floxide/core/engine is for the distributed engine and backends: use @floxide/core's public API (or @floxide/distributed).",
};

/**
 * For user-facing code (the CLI, the dashboard, apps, examples, tools that use Floxide like a user):
 * no engine internals, no deep imports. Spread after the root config.
 */
export const publicApiOnly = [
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImports, engineImports] }] },
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/coverage', '**/.nx', '**/vitest.config.ts'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-restricted-imports': ['error', { patterns: [deepImports] }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:distributed', onlyDependOnLibsWithTags: ['type:core'] },
            { sourceTag: 'type:conformance', onlyDependOnLibsWithTags: ['type:core', 'type:distributed'] },
            {
              sourceTag: 'type:backend',
              onlyDependOnLibsWithTags: ['type:core', 'type:distributed', 'type:conformance'],
            },
            {
              sourceTag: 'type:cli',
              onlyDependOnLibsWithTags: ['type:core', 'type:distributed', 'type:backend', 'type:dashboard'],
            },
            {
              // The dashboard reads any backend through the contracts; its tests also run on the real backends.
              sourceTag: 'type:dashboard',
              onlyDependOnLibsWithTags: ['type:core', 'type:distributed', 'type:backend'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:core',
                'type:distributed',
                'type:backend',
                'type:conformance',
                'type:cli',
                'type:tool',
                'type:dashboard',
              ],
            },
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: [
                'type:core',
                'type:distributed',
                'type:backend',
                'type:conformance',
                'type:cli',
                'type:app',
                'type:dashboard',
                'type:cli',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    // Plain JavaScript (configs, scripts, the CLI's bin) runs on Node as ES modules.
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'URL',
          'performance',
          'setTimeout',
          'clearTimeout',
          'Buffer',
          'AbortController',
        ].map((name) => [name, 'readonly']),
      ),
    },
    // The TypeScript rules above do not reach these files: ESLint's recommended set does (unused
    // variables, undefined names, unreachable code).
    rules: js.configs.recommended.rules,
  },
  prettier,
];
