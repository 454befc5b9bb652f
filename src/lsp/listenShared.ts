import { appendFileSync, createWriteStream } from 'node:fs';
import { chmod, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createConnection, type Connection, type InitializeParams, type WatchDog } from 'vscode-languageserver';
import {
	createProtocolConnection, Message, SocketMessageReader, SocketMessageWriter, type DataCallback, type NotificationMessage,
} from 'vscode-languageserver/node';
import { RuntimeHost, type Logger } from '../runtime';
import { buildHashOf, sharedRuntimeEndpoint } from '../shared/sharedRuntime';
import { defaultRuntimeSettings } from '../shared/types';
import { ListenLock } from './ListenLock';
import { checkPeer } from './peerCredentials';
import { checkRuntimeFolder } from './checkRuntimeFolder';
import { serveClient } from './server';
import { llamaLogLevelOf } from './llamaLogLevel';

export interface ListenSharedOptions {
	/** This runtime's own bundle (`dist/server.mjs`): its hash names the socket. */
	readonly serverModulePath: string;
	/** The command line's settings: the defaults of every client's session. */
	readonly commandLineSettings: Record<string, unknown>;
}

/** How long a runtime nobody connected to yet waits for its first client (the one that started it connects at once). */
const firstClientGraceMs = 60_000;

/**
 * The shared runtime (`server.mjs --listen`): one process per user and build that every VS Code
 * window (and `--connect` bridge) talks to over a Unix socket in the per-user folder. Each connection
 * is its own LSP connection and session; `shutdown`/`exit` end only that session. The process exits
 * `keepAliveMinutes` after its last client left, models freed first. Exits 0 at once when another
 * process already is (or is becoming) the runtime, nonzero when the folder is not safe.
 */
export async function listenShared({ serverModulePath, commandLineSettings }: ListenSharedOptions): Promise<void> {
	const buildHash = buildHashOf(serverModulePath);
	const endpoint = sharedRuntimeEndpoint({ buildHash });
	const unsafe = await checkRuntimeFolder(endpoint.directory);
	if (unsafe) {
		process.stderr.write(`bora-runtime: ${unsafe} Fix it (or set BORA_RUNTIME_DIR to another folder) and start again.\n`);
		process.exit(3);
	}
	const lock = new ListenLock(join(endpoint.directory, `runtime-${buildHash}.lock`));
	if (process.platform !== 'win32' && !await lock.acquire()) {
		// Another starter won the race, or a runtime is up: the windows connect to it.
		process.exit(0);
	}
	const logPath = join(endpoint.directory, `runtime-${buildHash}.log`);
	const log = createWriteStream(logPath, { flags: 'w', mode: 0o600 });
	const logger: Logger = {
		info: message => log.write(`${new Date().toISOString()} ${message}\n`),
		warn: message => log.write(`${new Date().toISOString()} warning: ${message}\n`),
		error: message => log.write(`${new Date().toISOString()} error: ${message}\n`),
	};
	const keepAliveMinutes = typeof commandLineSettings['keepAliveMinutes'] === 'number' ? commandLineSettings['keepAliveMinutes'] : defaultRuntimeSettings.keepAliveMinutes;
	const host = new RuntimeHost({ shared: true, logger, llamaLogLevel: llamaLogLevelOf(process.env), buildHash, keepAliveMinutes });

	let exiting = false;
	const exit = async (reason: string) => {
		if (exiting) {
			return;
		}
		exiting = true;
		logger.info(`Exiting: ${reason}.`);
		server.close();
		await unlink(endpoint.socketPath).catch(() => undefined);
		lock.releaseSync();
		await host.dispose().catch(error => logger.error(`Disposing: ${String(error)}`));
		log.end(() => process.exit(0));
	};
	process.on('SIGTERM', () => void exit('SIGTERM'));
	process.on('SIGINT', () => void exit('SIGINT'));
	process.on('exit', () => lock.releaseSync());
	process.on('unhandledRejection', reason => {
		// One window's failed work must not end every window's runtime: said, and the process goes on.
		logger.error(`unhandled rejection: ${reason instanceof Error ? reason.stack ?? reason.message : String(reason)}`);
	});
	process.on('uncaughtException', error => {
		// The log file is the only place a detached runtime can say why it died.
		appendFileSync(logPath, `${new Date().toISOString()} error: uncaught ${error.stack ?? String(error)}\n`);
		process.exit(1);
	});

	let idleTimer: NodeJS.Timeout | undefined;
	const armIdleTimer = (ms: number) => {
		clearTimeout(idleTimer);
		idleTimer = setTimeout(() => void exit(`no window for ${Math.round(ms / 1000)} s`), ms);
	};

	const server = createServer(socket => {
		const refused = checkPeer(socket, logger);
		if (refused) {
			socket.destroy();
			return;
		}
		clearTimeout(idleTimer);
		const session = serveSocket(socket, host, () => void exit('a window asked (bora/sharedRuntimeExit)'), commandLineSettings, logger);
		socket.on('close', () => {
			host.closeSession(session);
			if (host.sessionCount === 0 && !exiting) {
				const minutes = host.keepAliveMinutes;
				logger.info(`The last window left; exiting in ${minutes} minutes unless one connects.`);
				armIdleTimer(minutes * 60_000);
			}
		});
	});
	await listenOnce(server, endpoint.socketPath, logger);
	if (!await lock.stillHeld() && process.platform !== 'win32') {
		// Another starter took a stale lock over at the same moment and listens in our place.
		server.close();
		process.exit(0);
	}
	if (process.platform !== 'win32') {
		await chmod(endpoint.socketPath, 0o600);
	}
	logger.info(`Bora shared runtime ${BORA_VERSION} (build ${buildHash}, pid ${process.pid}) listening on ${endpoint.socketPath}; keep-alive ${keepAliveMinutes} minutes.`);
	armIdleTimer(Math.max(firstClientGraceMs, keepAliveMinutes * 60_000));
}

/**
 * Listens on the socket; a socket file left by a killed runtime (nobody answers on it) is removed
 * and listened on again, and one that answers means another runtime runs: this process exits 0.
 */
async function listenOnce(server: Server, socketPath: string, logger: Logger): Promise<void> {
	for (let attempt = 0; ; attempt++) {
		try {
			await new Promise<void>((resolve, reject) => {
				server.once('error', reject);
				server.listen(socketPath, () => {
					server.off('error', reject);
					resolve();
				});
			});
			return;
		} catch (error) {
			if (codeOf(error) !== 'EADDRINUSE' || attempt > 0) {
				throw error;
			}
		}
		if (await answers(socketPath)) {
			logger.info(`Another runtime answers on ${socketPath}: this one exits.`);
			process.exit(0);
		}
		logger.info(`Removing the stale socket ${socketPath} of a runtime that is gone.`);
		await unlink(socketPath).catch(() => undefined);
	}
}

function answers(socketPath: string): Promise<boolean> {
	return new Promise(resolve => {
		const probe = connect({ path: socketPath });
		probe.once('connect', () => {
			probe.destroy();
			resolve(true);
		});
		probe.once('error', () => resolve(false));
	});
}

/**
 * One client's LSP connection on its socket: a session whose `shutdown` and `exit` end only it. When
 * the socket closes with requests unanswered (the window crashed or hung up mid-chat), each is
 * cancelled as if the client had sent `$/cancelRequest`: vscode-jsonrpc drops their tokens on dispose
 * without cancelling them, so a chat would go on generating for nobody.
 */
function serveSocket(socket: Socket, host: RuntimeHost, onExitRequest: () => void, commandLineSettings: Record<string, unknown>, logger: Logger) {
	// vscode-languageserver/node's watchdog exits the process on `exit` and when the client's pid dies; here neither may.
	const watchDog: WatchDog = {
		shutdownReceived: false,
		initialize: (_params: InitializeParams) => { },
		exit: () => socket.end(),
	};
	const reader = new SocketMessageReader(socket);
	const writer = new SocketMessageWriter(socket);
	const unanswered = new Set<number | string>();
	let deliver: DataCallback | undefined;
	const listen = reader.listen.bind(reader);
	reader.listen = callback => {
		deliver = callback;
		return listen(message => {
			if (Message.isRequest(message) && message.id !== null) {
				unanswered.add(message.id);
			}
			callback(message);
		});
	};
	const write = writer.write.bind(writer);
	writer.write = message => {
		if (Message.isResponse(message) && message.id !== null) {
			unanswered.delete(message.id);
		}
		return write(message);
	};
	let closed = false;
	const connection: Connection = createConnection(logger => {
		const protocol = createProtocolConnection(reader, writer, logger);
		// Work of a window that left still ends, streams and logs; with its socket gone, there is nobody to tell.
		const send = protocol.sendNotification.bind(protocol);
		protocol.sendNotification = ((...args: Parameters<typeof send>) => closed ? Promise.resolve() : send(...args)) as typeof protocol.sendNotification;
		return protocol;
	}, watchDog);
	const session = serveClient(connection, host, { commandLineSettings, onExitRequest });
	connection.onShutdown(() => host.closeSession(session));
	socket.on('error', () => socket.destroy());
	socket.on('close', () => {
		closed = true;
		if (unanswered.size > 0) {
			logger.info(`[${session.id} ${session.name}] left with ${unanswered.size} requests unanswered: cancelled.`);
		}
		for (const id of unanswered) {
			const cancel: NotificationMessage = { jsonrpc: '2.0', method: '$/cancelRequest', params: { id } };
			deliver?.(cancel);
		}
		unanswered.clear();
		connection.dispose();
	});
	connection.listen();
	return session;
}

function codeOf(error: unknown): string | undefined {
	return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

declare const BORA_VERSION: string;
