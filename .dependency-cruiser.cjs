// Architecture rules for conduit-cqrs: the layer table of design.md §2, enforced.
// `npm run arch` fails the build on any violation; test/architecture proves that each
// rule below fires on a deliberately bad fixture, so none of them is decorative.
//
// Paths are matched relative to the directory depcruise runs in (the repo root for
// `npm run arch`, a fixture root in the tests), which is why every pattern starts at `src/`.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-only-domain',
      severity: 'error',
      comment:
        'The domain is pure: it may import only src/domain and ts-results-es. No Node builtins, ' +
        'no frameworks, no ORM, nothing from the outer layers (design.md §2). Unresolvable ' +
        'imports are left to no-unresolvable so that each problem is reported once.',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '(^|/)node_modules/ts-results-es/'], couldNotResolve: false },
    },
    {
      name: 'application-only-domain-and-di',
      severity: 'error',
      comment:
        'Handlers and ports may import only the domain, the application layer, ts-results-es and ' +
        'inversify (for @injectable/@inject). Anything else belongs in an adapter behind a port.',
      from: { path: '^src/application/' },
      to: {
        pathNot: ['^src/domain/', '^src/application/', '(^|/)node_modules/(ts-results-es|inversify)/'],
        couldNotResolve: false,
      },
    },
    {
      name: 'adapters-not-to-composition-root',
      severity: 'error',
      comment:
        'Adapters are chosen by the composition root; an adapter that imports it (or an entry ' +
        'point), even for a type, inverts that and creates a cycle through the whole app.',
      from: { path: '^src/adapters/' },
      to: { path: ['^src/container\\.ts$', '^src/composition/', '^src/main\\.ts$', '^src/worker\\.ts$', '^src/(relay|notifier)\\.ts$', '^src/cli/'] },
    },
    {
      name: 'adapters-only-config-types',
      severity: 'error',
      comment:
        'Adapters receive their settings from the composition root. They may name config types ' +
        '(`import type`), but must not load or read the environment themselves.',
      from: { path: '^src/adapters/' },
      to: { path: '^src/config/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'adapters-not-across-technologies',
      severity: 'error',
      comment:
        'One adapter technology must not load another (sql, mongodb, redis, http, …): they meet ' +
        'only through ports and the composition root, which passes the instances in. Type-only ' +
        'imports are erased at compile time and are allowed, so one adapter can name the ' +
        'interface another implements.',
      from: { path: '^src/adapters/([^/]+)/' },
      to: {
        path: '^src/adapters/',
        pathNot: ['^src/adapters/$1/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'adapters-in-technology-folders',
      severity: 'error',
      comment:
        'Every adapter lives in the folder of its technology (src/adapters/<technology>/). A file ' +
        'directly in src/adapters/ would escape the rule above; code that chooses between ' +
        'technologies is composition and belongs in src/composition/.',
      from: { path: '^src/adapters/[^/]+$' },
      to: {},
    },
    {
      name: 'only-composition-root-wires-adapters',
      severity: 'error',
      comment:
        'Choosing adapters is the job of src/container.ts, its helpers in src/composition/ and the ' +
        'entry points (main, worker, cli). Any other module outside src/adapters (config, helpers) may refer to adapter ' +
        'types but not load adapter code, so only the root can combine technologies.',
      from: {
        path: '^src/',
        pathNot: [
          // The domain and application rules already forbid every adapter import.
          '^src/(domain|application)/',
          '^src/adapters/',
          '^src/container\\.ts$',
          '^src/composition/',
          '^src/main\\.ts$',
          '^src/worker\\.ts$',
          '^src/(relay|notifier)\\.ts$',
          '^src/cli/',
        ],
      },
      to: { path: '^src/adapters/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular-core',
      severity: 'error',
      comment:
        'Domain and application modules form a tree (type-only cycles included): a cycle makes ' +
        'the load order matter and the modules impossible to understand or test alone.',
      from: { path: '^src/(domain|application)/' },
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment:
        'Every rule above matches resolved paths. An import the cruiser cannot resolve (a typo, ' +
        'a missing package, a .js specifier with no .ts behind it) would slip past all of them.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too: a domain file that names an adapter type is
    // already coupled to it. They also carry the `type-only` tag the config rule relies on.
    tsPreCompilationDeps: true,
    // Absolute, so the same config resolves the same way from the repo root and from the
    // fixtures in test/architecture (which have no tsconfig of their own).
    tsConfig: { fileName: require('node:path').join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // The project is ESM; resolve packages the way Node's `import` does.
      conditionNames: ['import', 'node', 'default', 'types'],
      // NodeNext sources import `./x.js` and mean `./x.ts`; the TS extensions must be known.
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
