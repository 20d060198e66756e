import type { Reporter, TestModule } from 'vitest/node';
import type { Vitest } from 'vitest/node';
import { missingTiers } from './test-tiers.ts';

/**
 * Ends a run with the plain line `N passed, N failed, N skipped`, which CI reads as the run's
 * verdict next to the exit code (vitest's own summary is formatted for people). A test file that
 * failed to load, or whose setup failed, counts as failed; a tier that did not run is named.
 */
export default class SummaryReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: readonly TestModule[]): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of testModules) {
      const moduleFailed = m.state() === 'failed';
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        // A test that was meant to run but did not, because its file or a hook failed, failed.
        else if (moduleFailed && t.options.mode === 'run') failedHere++;
        else skipped++;
      }
      if (moduleFailed && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    const tiers = this.vitest?.getRootProject().getProvidedContext().tiers;
    const missing = tiers === undefined ? [] : missingTiers(tiers);
    for (const tier of missing) process.stdout.write(`\ntier not run: ${tier}`);
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
