import { connectOrStart } from '../shared/connectSharedRuntime';
import { buildHashOf, sharedRuntimeEndpoint } from '../shared/sharedRuntime';

export interface ConnectBridgeOptions {
	/** This runtime's own bundle (`dist/server.mjs`), started with `--listen` when no runtime answers. */
	readonly serverModulePath: string;
	/** Flags for a runtime this bridge starts (the settings flags of the command line). */
	readonly args: readonly string[];
}

/**
 * `server.mjs --connect`: for editors other than VS Code, a stdio LSP server that is really the
 * shared runtime. It connects to the runtime of this build (starting it when none answers) and
 * copies bytes both ways, so the editor's messages and the runtime's answers pass unchanged; it exits
 * when either side ends (exit code 0 after the editor closed stdin, 1 when the runtime went).
 */
export async function connectBridge({ serverModulePath, args }: ConnectBridgeOptions): Promise<void> {
	const endpoint = sharedRuntimeEndpoint({ buildHash: buildHashOf(serverModulePath) });
	let socket;
	try {
		socket = await connectOrStart({ serverModule: serverModulePath, endpoint, args, log: message => process.stderr.write(`bora-runtime --connect: ${message}\n`) });
	} catch (error) {
		const action = error instanceof Error && 'action' in error ? ` ${String(error.action)}` : '';
		process.stderr.write(`bora-runtime --connect: ${error instanceof Error ? error.message : String(error)}${action}\n`);
		process.exit(1);
	}
	process.stdin.pipe(socket);
	socket.pipe(process.stdout);
	process.stdin.on('end', () => {
		socket.end();
		socket.once('close', () => process.exit(0));
	});
	socket.on('close', () => process.exit(1));
	socket.on('error', error => {
		process.stderr.write(`bora-runtime --connect: the connection to the shared runtime failed: ${error.message}\n`);
		process.exit(1);
	});
}
