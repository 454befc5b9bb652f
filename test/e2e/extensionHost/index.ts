import { runMochaSuites } from './runMocha';

/** `extensionTestsPath` entry: VS Code calls `run()` once the extension under test is loaded. */
export function run(): Promise<void> {
	return runMochaSuites(__dirname);
}
