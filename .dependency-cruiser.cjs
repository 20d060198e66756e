// The module graph, enforced (`npm run lint`). docs/architecture.md draws it; ADR 0005 explains it.
// Inside the service, layers import only downwards:
//   common, config → storage, mail → keys → core → auth, identity → http → app → commands
const SERVER = '^packages/server/src/';
/** Files that exist for tests only: tests, their support, benchmarks and dev scripts (tests may reach across layers). */
const TEST_ONLY = '(\\.test\\.ts$|/testing/|/scripts/|^tests/|^bench/)';
const LAYERS = [
  ['common'],
  ['config'],
  ['storage', 'mail'],
  ['keys'],
  ['core'],
  ['auth', 'identity'],
  ['http'],
  ['app'],
  ['commands'],
];
const above = (i) => LAYERS.slice(i + 1).flat();
const layerRules = LAYERS.flatMap((folders, i) =>
  i === LAYERS.length - 1
    ? []
    : [
        {
          name: `no-upward-from-${folders.join('-')}`,
          comment: `${folders.join(' and ')} may not import a layer above it (${above(i).join(', ')})`,
          severity: 'error',
          from: { path: `${SERVER}(${folders.join('|')})/`, pathNot: TEST_ONLY },
          to: { path: `${SERVER}((${above(i).join('|')})/|index\\.ts$)` },
        },
      ],
);

/**
 * Each workspace package imports only the workspace packages it declares: dependencies from its
 * production code, devDependencies too from its tests (the package.json files are the source).
 */
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const PACKAGES = readdirSync(join(__dirname, 'packages')).map((dir) => {
  const manifest = JSON.parse(readFileSync(join(__dirname, 'packages', dir, 'package.json'), 'utf8'));
  const local = (deps) => Object.keys(deps ?? {}).filter((n) => n.startsWith('@qrlog/')).map((n) => n.slice('@qrlog/'.length));
  return { dir, deps: local(manifest.dependencies), devDeps: local(manifest.devDependencies) };
});
const others = (p, allowed) => PACKAGES.map((q) => q.dir).filter((d) => d !== p.dir && !allowed.includes(d));
const workspaceRules = PACKAGES.flatMap((p) => [
  {
    name: `declared-workspace-deps-${p.dir}`,
    comment: `packages/${p.dir} imports only the @qrlog packages its package.json declares`,
    severity: 'error',
    from: { path: `^packages/${p.dir}/`, pathNot: TEST_ONLY },
    to: { path: `^packages/(${others(p, p.deps).join('|') || '$^'})/` },
  },
  {
    name: `declared-workspace-dev-deps-${p.dir}`,
    comment: `the tests of packages/${p.dir} import only the @qrlog packages its package.json declares`,
    severity: 'error',
    from: { path: `^packages/${p.dir}/.*(\\.test\\.ts$|/testing/|/scripts/)` },
    to: { path: `^packages/(${others(p, [...p.deps, ...p.devDeps]).join('|') || '$^'})/` },
  },
]);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'imports flow one way (a cycle made only of type imports is erased at run time and allowed)',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    ...layerRules,
    ...workspaceRules,
    {
      name: 'sign-in-sides-apart',
      comment: 'the OIDC client side (auth) and the embedded provider (identity) meet only in app/',
      severity: 'error',
      from: { path: `${SERVER}(auth|identity)/` },
      to: { path: `${SERVER}(auth|identity)/`, pathNot: `${SERVER}$1/` },
    },
    {
      name: 'link-stands-alone',
      comment: 'the link format runs on loggers, phones and browsers: it imports no other qrlog package',
      severity: 'error',
      from: { path: '^packages/link/src/' },
      to: { path: '^packages/(qr|simulator|cli|server)/' },
    },
    {
      name: 'qr-below-the-service',
      comment: 'QR rendering never imports the service, the simulator or the command',
      severity: 'error',
      from: { path: '^packages/qr/src/' },
      to: { path: '^packages/(simulator|cli|server)/' },
    },
    {
      name: 'simulator-below-the-service',
      severity: 'error',
      from: { path: '^packages/simulator/src/' },
      to: { path: '^packages/(cli|server)/' },
    },
    {
      name: 'server-without-the-cli',
      severity: 'error',
      from: { path: '^packages/server/src/' },
      to: { path: '^packages/cli/' },
    },
    {
      name: 'no-test-support-in-production',
      comment: 'test support (testing/ folders, tests/) is imported by tests and benchmarks only',
      severity: 'error',
      from: { path: '^packages/', pathNot: TEST_ONLY },
      to: { path: '(/testing/|^tests/)' },
    },
    {
      name: 'no-dev-dependencies-in-production',
      comment: 'what production code imports is a dependency of its package, not a devDependency',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/', pathNot: TEST_ONLY },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    { name: 'resolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['development', 'import', 'default'],
      extensions: ['.ts', '.js'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
