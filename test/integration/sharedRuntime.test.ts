import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildHashOf, SharedRuntimeExitRequest, sharedRuntimeEndpoint } from '../../src/shared/sharedRuntime';
import { canonicalFim, ensureFixtureModel, ensureFixtureModels, reasoningChat } from '../models/fixtures';
import { repoRoot, serverModule } from '../support/paths';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';
import { checkPeer } from '../../src/lsp/peerCredentials';
import { chmodSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';

const documentText = `${canonicalFim.prefix}|${canonicalFim.suffix}\n`;
const linesOf = (tag: string, count: number) => Array.from({ length: count }, (_, i) => `const ${tag}${i} = ${i};\n`).join('');

/** Pids of the shared runtimes (`--listen`) whose folder is `runtimeDir`, from /proc. */
function listeningRuntimes(runtimeDir: string): number[] {
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) {
			continue;
		}
		try {
			const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (cmdline.includes('--listen') && readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`BORA_RUNTIME_DIR=${runtimeDir}`)) {
				pids.push(Number(entry));
			}
		} catch {
			// Gone meanwhile.
		}
	}
	return pids;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Resolves once `pid` is gone; polls, since it is not our child. Rejects after `timeoutMs`. */
async function exitOf(pid: number, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (alive(pid) && !isZombie(pid)) {
		if (Date.now() > deadline) {
			throw new Error(`pid ${pid} still runs`);
		}
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}

function isZombie(pid: number): boolean {
	try {
		return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
	} catch {
		return true;
	}
}

describe('the shared runtime: several clients on one process over its socket', function () {
	this.timeout(180_000);
	let runtimeDir: string;
	let env: NodeJS.ProcessEnv;
	let qwenFim: string;
	const clients: RuntimeServerProcess[] = [];
	/** A client of the shared runtime in this test's folder; it exits at once after its last client (keep-alive 0). */
	const connect = async (options: { name: string; module?: string; extraArgs?: readonly string[] } & Parameters<typeof RuntimeServerProcess.start>[0] = { name: 'w' }) => {
		const client = await RuntimeServerProcess.start({
			transport: 'socket', env, serverModule: options.module ?? serverModule,
			args: ['--keepAliveMinutes', '0', ...options.extraArgs ?? []],
			initializationOptions: options.initializationOptions ?? { modelPath: qwenFim, threads: 2 },
			...(options.rootUri ? { rootUri: options.rootUri } : {}),
		});
		clients.push(client);
		await client.windowState(options.name, false);
		return client;
	};

	before(async () => {
		await ensureFixtureModels();
		qwenFim = await ensureFixtureModel('qwenFim');
	});
	beforeEach(async () => {
		runtimeDir = await mkdtemp(join(tmpdir(), 'bora-shared-'));
		env = { ...process.env, BORA_RUNTIME_DIR: runtimeDir };
	});
	afterEach(async () => {
		await Promise.all(clients.splice(0).map(client => client.stop().catch(() => undefined)));
		for (const pid of listeningRuntimes(runtimeDir)) {
			process.kill(pid, 'SIGKILL');
		}
		await rm(runtimeDir, { recursive: true, force: true });
	});

	it('three clients load the model once, each completes its own documents, nothing of one reaches another, and the process exits after the last', async () => {
		const workspaces = await Promise.all(['alpha', 'beta', 'gamma'].map(async name => ({ name, dir: await mkdtemp(join(tmpdir(), `bora-${name}-`)) })));
		try {
			const [a, b, c] = await Promise.all(workspaces.map(({ name, dir }) => connect({ name, rootUri: pathToFileURL(dir).href })));
			await Promise.all([a!, b!, c!].map(client => client.waitForState('ready')));
			const status = await a!.sharedStatus();
			assert.equal(status.shared, true);
			assert.equal(status.models.length, 1, JSON.stringify(status.models));
			assert.equal(status.models[0]!.windowIds.length, 3);
			assert.deepEqual(status.windows.map(window => window.name).sort(), ['alpha', 'beta', 'gamma']);
			assert.deepEqual(status.windows.filter(window => window.self).map(window => window.name), ['alpha']);
			const pid = status.pid;
			assert.equal((await b!.sharedStatus()).pid, pid);
			assert.equal((await c!.sharedStatus()).pid, pid);
			assert.deepEqual(listeningRuntimes(runtimeDir), [pid], 'one runtime process');
			assert.ok(a!.sharedStatuses.some(pushed => pushed.windows.length === 3 && pushed.windows.find(window => window.self)?.name === 'alpha'), 'every window is told when another connects');

			// Each window completes its own document.
			const docs = workspaces.map(({ dir }) => `${pathToFileURL(dir).href}/main.js`);
			for (const [index, client] of [a!, b!, c!].entries()) {
				const result = await client.complete(docs[index]!, await client.open(docs[index]!, documentText));
				assert.equal(result?.items[0]?.insertText, canonicalFim.middle, `window ${index}`);
			}

			// An edit in window a makes extra context for a's next completion, never for b's.
			const secret = `${pathToFileURL(workspaces[0]!.dir).href}/secret.js`;
			const original = linesOf('alphaSecret', 10);
			await a!.open(secret, `|${original}`);
			await a!.replaceText(secret, `|${original.replace('alphaSecret4 = 4', 'alphaSecret4 = "only for alpha"')}`);
			await b!.complete(docs[1]!, await b!.replaceText(docs[1]!, `// b changed\n${documentText}`));
			assert.equal(b!.completionStats.at(-1)?.extraContextChunks, 0, "window a's edit is not in window b's prompt");
			await a!.complete(docs[0]!, await a!.replaceText(docs[0]!, `// a changed\n${documentText}`));
			assert.equal(a!.completionStats.at(-1)?.extraContextChunks, 1, "window a's own edit is in its prompt");
			assert.ok(a!.logs.some(line => line.startsWith('[w1 alpha] completion main.js')), `the log names the window: ${a!.logs.join('\n')}`);

			// Closing two leaves the third working, on the same process and load.
			await a!.stop();
			await b!.stop();
			const result = await c!.complete(docs[2]!, await c!.replaceText(docs[2]!, `// c changed\n${documentText}`));
			assert.equal(result?.items[0]?.insertText, canonicalFim.middle);
			const after = await c!.sharedStatus();
			assert.equal(after.pid, pid);
			assert.deepEqual(after.windows.map(window => window.name), ['gamma']);
			assert.deepEqual(after.models[0]?.windowIds, [after.windows[0]!.id]);

			// Keep-alive 0: the last window leaving ends the process.
			await c!.stop();
			await exitOf(pid);
			assert.deepEqual(listeningRuntimes(runtimeDir), []);
		} finally {
			await Promise.all(workspaces.map(({ dir }) => rm(dir, { recursive: true, force: true })));
		}
	});

	it('after kill -9, both clients reconnect through connectOrStart and exactly one runtime comes back', async () => {
		const [a, b] = await Promise.all([connect({ name: 'a' }), connect({ name: 'b' })]);
		await Promise.all([a.waitForState('ready'), b.waitForState('ready')]);
		const killed = (await a.sharedStatus()).pid;
		const closed = [once(a.socket!, 'close'), once(b.socket!, 'close')];
		process.kill(killed, 'SIGKILL');
		await Promise.all(closed);
		await exitOf(killed);
		const endpoint = sharedRuntimeEndpoint({ buildHash: buildHashOf(serverModule), env });
		assert.ok((await stat(endpoint.socketPath)).isSocket(), 'the killed runtime left its socket file behind');

		// Both windows reconnect at once, as every window does after a crash.
		clients.splice(0);
		const [a2, b2] = await Promise.all([connect({ name: 'a' }), connect({ name: 'b' })]);
		await Promise.all([a2.waitForState('ready'), b2.waitForState('ready')]);
		const [statusA, statusB] = await Promise.all([a2.sharedStatus(), b2.sharedStatus()]);
		assert.notEqual(statusA.pid, killed);
		assert.equal(statusA.pid, statusB.pid, 'both windows reach the same runtime');
		assert.deepEqual(listeningRuntimes(runtimeDir), [statusA.pid], 'exactly one runtime process');
		assert.equal(statusA.models.length, 1);
		for (const [client, uri] of [[a2, 'file:///a/x.js'], [b2, 'file:///b/y.js']] as const) {
			const result = await client.complete(uri, await client.open(uri, documentText));
			assert.equal(result?.items[0]?.insertText, canonicalFim.middle);
		}
	});

	it('another user cannot connect, and a stale socket file (with a stale lock) is replaced rather than reported as running', async () => {
		const endpoint = sharedRuntimeEndpoint({ buildHash: buildHashOf(serverModule), env });
		// A process that listened on the socket and was killed -9: its socket file and its lock stay.
		const squatter = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(endpoint.socketPath)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
		await once(squatter.stdout!, 'data');
		writeFileSync(join(runtimeDir, `runtime-${endpoint.buildHash}.lock`), String(squatter.pid));
		squatter.kill('SIGKILL');
		await once(squatter, 'exit');
		assert.ok((await stat(endpoint.socketPath)).isSocket());

		const client = await connect({ name: 'a' });
		await client.waitForState('ready');
		const { pid } = await client.sharedStatus();
		assert.notEqual(pid, squatter.pid);
		assert.deepEqual(listeningRuntimes(runtimeDir), [pid]);
		assert.equal((await stat(endpoint.socketPath)).mode & 0o777, 0o600);
		assert.equal((await stat(runtimeDir)).mode & 0o777, 0o700);

		// uid 65534 (nobody) tries the socket of root's runtime.
		const probe = `const s = require('net').connect(${JSON.stringify(endpoint.socketPath)}); s.on('connect', () => { console.log('CONNECTED'); process.exit(0); }); s.on('error', e => { console.log(e.code); process.exit(7); });`;
		const other = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', probe], { encoding: 'utf8' });
		assert.equal(other.status, 7, `another uid must not connect: ${other.stdout}${other.stderr}`);
		assert.match(other.stdout, /EACCES/);

		// The runtime is unharmed: a completion still works.
		const uri = 'file:///a/x.js';
		assert.equal((await client.complete(uri, await client.open(uri, documentText)))?.items[0]?.insertText, canonicalFim.middle);
	});

	it('refuses to listen in a folder other users can open', async () => {
		const open = join(runtimeDir, 'open');
		mkdirSync(open, { mode: 0o755 });
		const result = spawnSync(process.execPath, [serverModule, '--listen'], { env: { ...env, BORA_RUNTIME_DIR: open }, encoding: 'utf8' });
		assert.notEqual(result.status, 0);
		assert.match(result.stderr, /mode 0755; it must be 0700/);
	});

	it('two builds (different hashes) get two runtimes', async () => {
		const copyDir = join(repoRoot, 'out', 'test-build-copy');
		mkdirSync(copyDir, { recursive: true });
		for (const file of ['server.mjs', 'templateWorker.mjs']) {
			copyFileSync(join(repoRoot, 'dist', file), join(copyDir, file));
		}
		appendFileSync(join(copyDir, 'server.mjs'), `\n// another build: ${Date.now()}\n`);
		const copied = join(copyDir, 'server.mjs');
		assert.notEqual(buildHashOf(copied), buildHashOf(serverModule));

		const [a, b] = await Promise.all([connect({ name: 'a' }), connect({ name: 'b', module: copied })]);
		await Promise.all([a.waitForState('ready'), b.waitForState('ready')]);
		const [statusA, statusB] = await Promise.all([a.sharedStatus(), b.sharedStatus()]);
		assert.notEqual(statusA.pid, statusB.pid);
		assert.equal(statusA.buildHash, buildHashOf(serverModule));
		assert.equal(statusB.buildHash, buildHashOf(copied));
		assert.deepEqual(listeningRuntimes(runtimeDir).sort(), [statusA.pid, statusB.pid].sort());
		assert.equal(statusA.windows.length, 1);
		assert.equal(statusB.windows.length, 1);
		const uri = 'file:///b/y.js';
		assert.equal((await b.complete(uri, await b.open(uri, documentText)))?.items[0]?.insertText, canonicalFim.middle);
	});

	it("a chat streaming in client A pauses for client B's completions: B is served between A's tokens", async () => {
		const [fim, chat] = await Promise.all([ensureFixtureModel('mistral4Fim'), ensureFixtureModel('mistral4Chat')]);
		const settings = { modelPath: fim, chatModelPath: chat, threads: 2 };
		const [a, b] = await Promise.all([connect({ name: 'a', initializationOptions: settings }), connect({ name: 'b', initializationOptions: settings })]);
		await Promise.all([a.waitForState('ready'), b.waitForState('ready')]);
		assert.equal((await a.sharedStatus()).pid, (await b.sharedStatus()).pid);
		const uri = 'file:///b/typing.js';
		let position = await b.open(uri, documentText);
		const answering = a.chat({ chatId: 'long', history: [], message: 'Show me a constant', effort: 'high' });
		await a.waitForChatChunks('long', 2);
		// Chunks of A's chat that had arrived when each of B's completions was answered.
		const chunksAtAnswer: number[] = [];
		for (let keystroke = 0; keystroke < 3; keystroke++) {
			const result = await b.complete(uri, position);
			chunksAtAnswer.push(a.chatChunksOf('long').length);
			assert.equal(result?.items[0]?.insertText, canonicalFim.middle);
			position = await b.replaceText(uri, `// keystroke ${keystroke}\n${documentText}`);
		}
		const result = await answering;
		assert.equal(result.answer, reasoningChat.answer, 'the paused chat finished its answer unchanged');
		const total = a.chatChunksOf('long').length;
		assert.ok(chunksAtAnswer[0]! < total, `B's first completion was answered while A's chat was still streaming (${chunksAtAnswer.join(', ')} of ${total} chunks)`);
	});

	it("a window that disconnects mid-chat has its requests cancelled, and the other window's completion and chat go on", async () => {
		const [fim, chat] = await Promise.all([ensureFixtureModel('mistral4Fim'), ensureFixtureModel('mistral4Chat')]);
		const settings = { modelPath: fim, chatModelPath: chat, threads: 2 };
		const [a, b] = await Promise.all([connect({ name: 'leaving', initializationOptions: settings }), connect({ name: 'staying', initializationOptions: settings })]);
		await Promise.all([a.waitForState('ready'), b.waitForState('ready')]);
		const { pid, buildHash } = await b.sharedStatus();
		const abandoned = a.chat({ chatId: 'gone', history: [], message: 'Show me a constant', effort: 'high' }).catch(() => undefined);
		await a.waitForChatChunks('gone', 2);
		// The window dies: no shutdown, no $/cancelRequest, only the socket closing.
		a.socket!.destroy();
		a.connection.dispose();
		await abandoned;
		const uri = 'file:///staying/x.js';
		assert.equal((await b.complete(uri, await b.open(uri, documentText)))?.items[0]?.insertText, canonicalFim.middle);
		const answer = await b.chat({ chatId: 'here', history: [], message: 'Show me a constant', effort: 'high' });
		assert.equal(answer.answer, reasoningChat.answer);
		const status = await b.sharedStatus();
		assert.equal(status.pid, pid);
		assert.deepEqual(status.windows.map(window => window.name), ['staying']);
		const log = readFileSync(join(runtimeDir, `runtime-${buildHash}.log`), 'utf8');
		assert.match(log, /\[w1 leaving\] left with 1 requests unanswered: cancelled/);
	});

	it('bora/sharedRuntimeExit: the runtime answers, then exits, and every window sees its connection close', async () => {
		const [a, b] = await Promise.all([connect({ name: 'a' }), connect({ name: 'b' })]);
		await Promise.all([a.waitForState('ready'), b.waitForState('ready')]);
		const { pid } = await a.sharedStatus();
		const closed = [once(a.socket!, 'close'), once(b.socket!, 'close')];
		await a.connection.sendRequest(SharedRuntimeExitRequest.method);
		await Promise.all(closed);
		await exitOf(pid);
		assert.deepEqual(listeningRuntimes(runtimeDir), []);
	});

	it('--connect bridges an LSP client on stdio to the shared runtime', async () => {
		const bridged = await RuntimeServerProcess.start({ transport: 'stdio', args: ['--connect', '--keepAliveMinutes', '0'], env, initializationOptions: { modelPath: qwenFim, threads: 2 } });
		clients.push(bridged);
		await bridged.waitForState('ready');
		const status = await bridged.sharedStatus();
		assert.equal(status.shared, true);
		assert.notEqual(status.pid, bridged.process.pid, 'the bridge is not the runtime');
		assert.deepEqual(listeningRuntimes(runtimeDir), [status.pid]);
		const uri = 'file:///editor/x.js';
		assert.equal((await bridged.complete(uri, await bridged.open(uri, documentText)))?.items[0]?.insertText, canonicalFim.middle);
	});
});

describe('the shared runtime\'s peer check (SO_PEERCRED through the peer-credentials addon)', () => {
	it('refuses a client of another uid and admits one of this uid', async () => {
		// A socket other users can reach, unlike the runtime's own (its 0700 folder keeps them out before this check).
		const dir = await mkdtemp(join(tmpdir(), 'bora-peer-'));
		chmodSync(dir, 0o777);
		const path = join(dir, 'peer.sock');
		const warnings: string[] = [];
		const logger = { info: () => { }, warn: (line: string) => warnings.push(line), error: () => { } };
		const verdicts: Array<string | undefined> = [];
		const accepted: Socket[] = [];
		const server = createServer(socket => {
			verdicts.push(checkPeer(socket, logger));
			accepted.push(socket);
		});
		await new Promise<void>(resolve => server.listen(path, resolve));
		chmodSync(path, 0o777);
		try {
			const connectAs = (prefix: readonly string[]) => new Promise<void>((resolve, reject) => {
				const client = spawn(prefix[0] ?? process.execPath, [...prefix.slice(1), ...(prefix.length ? [process.execPath] : []), '-e', `const s = require('net').connect(${JSON.stringify(path)}, () => setTimeout(() => process.exit(0), 200)); s.on('error', e => { console.error(e.message); process.exit(7); });`], { stdio: 'inherit' });
				client.on('exit', code => code === 0 ? resolve() : reject(new Error(`client exited with ${code}`)));
			});
			await connectAs(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
			await connectAs([]);
			assert.equal(verdicts.length, 2);
			assert.match(verdicts[0] ?? '', /uid 65534, not as this user \(uid 0\)/);
			assert.equal(verdicts[1], undefined, 'the same user is admitted');
			assert.equal(warnings.length, 1);
		} finally {
			accepted.forEach(socket => socket.destroy());
			server.close();
			await rm(dir, { recursive: true, force: true });
		}
	});
});
