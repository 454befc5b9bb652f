// The compilers the native builds need (scripts/build-vision.mjs, scripts/build-llama-tools.mjs), and
// how a fresh Debian machine gets them when we run as root.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Whether `command` is on the PATH. */
export function has(command) {
	return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Installs cmake, g++ and make with apt-get when one is missing (Linux, as root); otherwise calls
 * `fail` with what to install. `rerun` names the command to run again afterwards.
 */
export function ensureBuildTools({ log, fail, rerun }) {
	const missing = ['cmake', 'g++', 'make'].filter(tool => !has(tool));
	if (missing.length === 0) return;
	if (process.platform !== 'linux' || !has('apt-get') || process.getuid?.() !== 0) {
		fail(`${missing.join(', ')} missing; install them (e.g. apt-get install cmake g++ make) and run ${rerun} again`);
	}
	log(`installing ${missing.join(', ')} with apt-get`);
	const opts = { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
	const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'cmake', 'g++', 'make'], opts).status === 0;
	if (!install()) {
		spawnSync('apt-get', ['update'], opts);
		if (!install()) fail('apt-get could not install cmake, g++ and make');
	}
}

/**
 * `log` and `fail` for an optional native addon's build script. `fail` removes what a previous build
 * left (`outputs`), writes the reason to `unavailableFile` for the runtime to report, and exits 0:
 * without the addon its feature says it is unavailable, and the rest of the build goes on.
 */
export function optionalAddonBuild({ tag, what, outputs, unavailableFile }) {
	const log = line => console.log(`[${tag}] ${line}`);
	const fail = reason => {
		mkdirSync(dirname(unavailableFile), { recursive: true });
		for (const output of outputs()) {
			rmSync(output, { force: true });
		}
		writeFileSync(unavailableFile, `${reason}\n`);
		log(`${what} not built: ${reason}`);
		process.exit(0);
	};
	return { log, fail };
}
