/*
 * The shared runtime's resident memory with one client against three: each client (as a VS Code
 * window would) completes in its own document and asks one chat question; the runtime's VmRSS is
 * read from /proc after the first client, and again after the other two did the same on the same
 * process. Completion runs on benchMistral4 (97 MB, the largest generated model), chat on the
 * mistral4Chat fixture. Prints a table and JSON; asserts nothing (the target is a ratio of at
 * most 1.1×). Each client gets its own completion context (KV cache), so the ratio grows with the
 * context size while the weights are counted once.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';
import { ensureBenchModel } from '../models/benchModels';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

function residentMiB(pid: number): number {
	const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(entry => entry.startsWith('VmRSS:'));
	return Number(line?.match(/(\d+)/)?.[1] ?? Number.NaN) / 1024;
}

async function completeAndChat(client: RuntimeServerProcess, index: number): Promise<void> {
	const uri = `file:///bench/window${index}/main.js`;
	await client.complete(uri, await client.open(uri, `${canonicalFim.prefix}|${canonicalFim.suffix}\n`));
	await client.chat({ chatId: `chat${index}`, history: [], message: 'Show me a constant', effort: 'off' });
}

const runtimeDir = await mkdtemp(join(tmpdir(), 'bora-bench-shared-'));
const env = { ...process.env, BORA_RUNTIME_DIR: runtimeDir };
const [modelPath, chatModelPath] = await Promise.all([ensureBenchModel('benchMistral4'), ensureFixtureModel('mistral4Chat')]);
const settings = { modelPath, chatModelPath, threads: 2 };
const clients: RuntimeServerProcess[] = [];
let pid = 0;
try {
	const connect = async () => {
		const client = await RuntimeServerProcess.start({ transport: 'socket', env, args: ['--keepAliveMinutes', '0'], initializationOptions: settings });
		clients.push(client);
		await client.waitForState('ready', () => true, 180_000);
		return client;
	};
	const first = await connect();
	pid = (await first.sharedStatus()).pid;
	await completeAndChat(first, 0);
	const oneClient = residentMiB(pid);
	for (const index of [1, 2]) {
		await completeAndChat(await connect(), index);
	}
	const status = await first.sharedStatus();
	const threeClients = residentMiB(pid);
	const result = {
		oneClientMiB: Math.round(oneClient), threeClientsMiB: Math.round(threeClients), ratio: Number((threeClients / oneClient).toFixed(3)),
		windows: status.windows.length, modelLoads: status.models.length, windowsOnTheModel: status.models[0]?.windowIds.length,
	};
	console.log('shared runtime resident memory (VmRSS), benchMistral4 completion + mistral4Chat chat, 2 threads, CPU');
	console.log(`  1 client : ${result.oneClientMiB} MiB`);
	console.log(`  3 clients: ${result.threeClientsMiB} MiB  (${result.ratio}×; target ≤ 1.1×)  models loaded: ${result.modelLoads}`);
	console.log(JSON.stringify(result));
} finally {
	await Promise.all(clients.map(client => client.stop().catch(() => undefined)));
	if (pid) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// Exited after its last client, as it should.
		}
	}
	await rm(runtimeDir, { recursive: true, force: true });
}
