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

/**
 * provisioning/'s concepts in layers (docs/architecture.md, "The arrows"): a concept
 * imports only concepts of lower layers, and only through their index.ts, so no two
 * concepts can import each other. Exported for test/lint/layering.test.ts.
 */
export const CONCEPT_LAYERS = [
  ['contract'],
  ['schema'],
  ['enrollment', 'access', 'jobs', 'doctor'],
  ['databases'],
  ['backups'],
  ['admin'],
  ['policy'],
  ['servers', 'orphans'],
];
const CONCEPTS = CONCEPT_LAYERS.flat();
const TOP_LEVEL = ['./index.ts', './library.ts', './api.ts'];

const conceptZones = CONCEPT_LAYERS.flatMap((layer, depth) => {
  const below = CONCEPT_LAYERS.slice(0, depth).flat();
  return layer
    .flatMap((concept) => [
      {
        target: `./provisioning/${concept}`,
        from: CONCEPTS.filter((other) => other !== concept && !below.includes(other)).map(
          (other) => `./provisioning/${other}`,
        ),
        message: `provisioning/${concept} may import only lower layers (${below.join(', ') || 'none'}): CONCEPT_LAYERS in eslint.config.js.`,
      },
      ...below.map((other) => ({
        target: `./provisioning/${concept}`,
        from: `./provisioning/${other}`,
        except: ['./index.ts'],
        message: `Import provisioning/${other} through its index.ts, not its files.`,
      })),
      {
        target: `./provisioning/${concept}`,
        from: TOP_LEVEL.map((file) => `./provisioning/${file.slice(2)}`),
        message:
          'A concept never imports the library front door (provisioning/index.ts, library.ts, api.ts) above it.',
      },
    ])
    .filter((zone) => zone.from.length > 0);
});

/** Outside provisioning/: its index.ts (the library) or the dependency-free contract. */
const provisioningEntryZones = [
  {
    target: ['./server', './provider', './templates', './bench', './scripts'],
    from: './provisioning',
    // contract/units.ts by itself: the dashboard (browser code) formats sizes with it,
    // and the rest of the contract holds Node's crypto.
    except: ['./index.ts', './contract/index.ts', './contract/units.ts'],
    message:
      'Import provisioning through provisioning/index.js (or the dependency-free provisioning/contract/index.js), not its files.',
  },
  {
    target: './agent',
    from: './provisioning',
    except: ['./contract/index.ts'],
    message:
      'The agent builds on provisioning/contract/index.js only (its bundle ships to every workspace).',
  },
  {
    target: './test',
    from: './provisioning',
    except: ['./index.ts', ...CONCEPTS.map((concept) => `./${concept}/index.ts`)],
    message: "Tests import provisioning through its index.ts or a concept folder's index.ts.",
  },
];

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
    target: './server',
    from: ['./agent', './templates', './provider'],
    except: ['./devdb/package-layout.ts'],
    message:
      'server builds on provisioning; of the provider, only its installation layout (provider/devdb/package-layout.ts: `devdb provider install`, the version).',
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
  // The dashboard is browser code (bundled by esbuild): of DevDB it takes only the
  // import-free units formatter; the API's shapes come from its generated types.
  {
    target: './server/dashboard',
    from: './provisioning',
    except: ['./contract/units.ts'],
    message:
      'The dashboard runs in the browser: of provisioning it imports contract/units.ts only.',
  },
  {
    target: './server/dashboard',
    from: './server',
    except: ['./dashboard'],
    message:
      "The dashboard runs in the browser: it imports no server code (the API's types are server/dashboard/api/openapi.ts).",
  },
  {
    target: './server/dashboard',
    from: ['./agent', './provider', './templates'],
    message: 'The dashboard runs in the browser: it imports none of agent, provider, templates.',
  },
  ...PRODUCT.map((target) => ({
    target,
    from: ['./test', './bench', './scripts'],
    message: 'Shipped code imports no tests, benchmarks or build scripts.',
  })),
  ...conceptZones,
  ...provisioningEntryZones,
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
      '.devdb-*/**',
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
  {
    files: ['server/dashboard/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'The dashboard runs in the browser.' }] },
      ],
    },
  },
  prettier,
);
