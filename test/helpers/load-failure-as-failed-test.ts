/**
 * A vitest reporter for `npm run mutate` only (vitest.mutate.config.ts). Stryker's vitest
 * runner scores a mutant from the tests each file collected, and a file whose import throws
 * collects none: a mutant that stops a module from loading (`new TextDecoder('')` throws)
 * would be scored "survived" although every test that imports it fails. This adds one failed
 * test to each such file, carrying the load error, so the mutant is scored killed.
 */
import type { RunnerTestCase, RunnerTestFile } from 'vitest';
import type { Vitest } from 'vitest/node';
import type { Reporter } from 'vitest/reporters';

export default class LoadFailureAsFailedTest implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(): void {
    for (const file of this.vitest?.state.getFiles() ?? []) {
      if (file.result?.state === 'fail' && file.tasks.length === 0) file.tasks.push(loadFailure(file));
    }
  }
}

function loadFailure(file: RunnerTestFile): RunnerTestCase {
  // Only what Stryker reads of a finished test; vitest builds a test's context itself.
  const test: Omit<RunnerTestCase, 'context'> = {
    type: 'test',
    id: `${file.id}_loads`,
    name: 'the file loads',
    fullName: `${file.name} > the file loads`,
    fullTestName: 'the file loads',
    mode: 'run',
    meta: {},
    file,
    suite: file,
    timeout: 0,
    annotations: [],
    artifacts: [],
    result: { state: 'fail', errors: file.result?.errors ?? [] },
  };
  return test as RunnerTestCase;
}
