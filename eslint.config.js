import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

/**
 * The layering (README "Layout"): arrows go one way. Each zone forbids files under
 * `target` to import anything under `from` (paths from this folder). Exported for
 * test/lint/layering.test.ts.
 */
const PRODUCT = ['./provisioning', './provider', './agent', './server', './templates'];
export const layeringZones = [
  {
    target: './provisioning',
    from: ['./server', './provider', './agent', './templates'],
    message: 'provisioning is the bottom layer: it imports none of server, provider, agent.',
  },
  {
    target: './provider/plugin',
    from: '.',
    except: ['./provider/plugin', './node_modules'],
    message: 'provider/plugin is a Terraform plugin framework: it imports nothing of DevDB.',
  },
  {
    target: './agent',
    from: ['./server', './provider', './templates'],
    message: 'agent builds on provisioning only.',
  },
  {
    target: './provider/devdb',
    from: ['./server', './agent', './provider/constructs', './templates'],
    message: 'provider/devdb builds on provisioning and provider/plugin only.',
  },
  {
    target: './provider/constructs',
    from: ['./server', './agent', './provider/devdb', './provider/plugin', './templates'],
    message: 'provider/constructs builds on its generated bindings (and naming rules) only.',
  },
  ...PRODUCT.map((target) => ({
    target,
    from: ['./test', './bench', './scripts'],
    message: 'Shipped code imports no tests, benchmarks or build scripts.',
  })),
];
/** Everyone else reaches provider/plugin through its entry points only. */
export const pluginInternalsZone = {
  target: '.',
  from: './provider/plugin',
  except: ['./index.ts', './bundle.ts'],
  message:
    'Import provider/plugin through provider/plugin/index.js (bundle.js at build time), not its internals.',
};

/** Why a `.query(…)` call under server/ is refused. */
const SERVER_SQL_MESSAGE =
  'server/ runs no SQL of its own: add a named function to its concept in provisioning/ (through query/queryOne of provisioning/schema/db.ts), export it from provisioning/index.ts and call that.';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '**/.terraform/**',
      '.devdb/**',
      'coverage/**',
      'provider/constructs/.gen/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  // The layering above, checked on every import (eslint-plugin-import-x).
  {
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      // Resolves `./x.js` to the `./x.ts` beside it (NodeNext), and `devdb/...` to this
      // package's own sources through the `devdb-source` export condition.
      'import-x/resolver-next': [
        createNodeResolver({
          extensionAlias: { '.js': ['.ts', '.js'] },
          conditionNames: ['devdb-source', 'import', 'default'],
        }),
      ],
    },
    rules: {
      // An unresolved import would slip past the layering rules unseen.
      'import-x/no-unresolved': ['error', { ignore: ['^[^.]'] }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        { basePath: import.meta.dirname, zones: [...layeringZones, pluginInternalsZone] },
      ],
    },
  },
  {
    // server/ runs no SQL of its own: each statement is a named function of provisioning/,
    // sent through the error-translating query helper and checked against the schema by
    // test/provisioning/sql-boundary.test.ts. (server/api/live.ts counts the statements of
    // the provisioning functions it calls by wrapping a pool's query; forwarding a call is
    // no member call, so needs no exception.) test/lint/sql-boundary.test.ts proves the rule.
    files: ['server/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name='query'], CallExpression[callee.property.value='query']",
          message: SERVER_SQL_MESSAGE,
        },
      ],
    },
  },
  {
    // The plugin's own code and its unit tests may reach its internals.
    files: ['provider/plugin/**', 'test/provider/plugin/**'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { basePath: import.meta.dirname, zones: layeringZones },
      ],
    },
  },
  prettier,
);
