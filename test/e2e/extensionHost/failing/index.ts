import { runMochaSuites } from '../runMocha';

/** A suite that must fail: the harness's own test proves a failing test fails the whole run. */
export function run(): Promise<void> {
	return runMochaSuites(__dirname);
}
