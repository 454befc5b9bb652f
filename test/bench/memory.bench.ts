/*
 * Resident and mapped memory of a spawned runtime (/proc/PID/status and /proc/PID/smaps) as one model
 * serves completion, chat and images: after the load, after a completion and a chat answer, and after
 * the first image question. Run on the generated vision fixture (visionMistral4 + its projector,
 * whose image answers " red") and on benchMoe (≈ 356 MB, 64 experts in 6 layers, a random pixtral
 * projector). Prints how llama.cpp placed the weights (the buffer sizes of its load log, forwarded
 * with BORA_LLAMA_LOG=debug), how often it loaded and mapped each GGUF, and which backend ran the
 * image encoder. Asserts nothing: the tests check one load and the growth bound.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { ExplainImageRequest } from '../../src/shared/protocol';
import { ensureBenchMoeVision } from '../models/benchModels';
import { colours, mostlyColouredPng } from '../models/vision/pngWriter';
import { ensureVisionFixture } from '../models/vision/visionFixtures';
import { RuntimeServerProcess } from '../support/RuntimeServerProcess';

interface MemorySnapshot {
	readonly state: string;
	readonly rssMiB: number;
	readonly anonMiB: number;
	readonly fileMiB: number;
	/** Mappings of the model GGUF, their size and resident part. */
	readonly modelMappings: number;
	readonly modelMappedMiB: number;
	readonly modelResidentMiB: number;
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024 * 10) / 10;

function snapshot(state: string, pid: number, modelPath: string): MemorySnapshot {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kB = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
	const mapped = realpathSync(modelPath);
	let modelMappings = 0;
	let size = 0;
	let resident = 0;
	let inside = false;
	for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
		const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
		if (header) {
			inside = header[1] === mapped;
			modelMappings += inside ? 1 : 0;
		} else if (inside && line.startsWith('Size:')) {
			size += Number(/(\d+) kB/.exec(line)?.[1] ?? 0) * 1024;
		} else if (inside && line.startsWith('Rss:')) {
			resident += Number(/(\d+) kB/.exec(line)?.[1] ?? 0) * 1024;
		}
	}
	return { state, rssMiB: mib(kB('VmRSS')), anonMiB: mib(kB('RssAnon')), fileMiB: mib(kB('RssFile')), modelMappings, modelMappedMiB: mib(size), modelResidentMiB: mib(resident) };
}

/** llama.cpp's buffer lines: where the weights went (`load_tensors: CPU_Mapped model buffer size = …`) and each context's buffers. */
function bufferLines(logs: readonly string[]): string[] {
	return logs.filter(line => /buffer size\s*=|image encoder compute/.test(line)).map(line => line.replace(/^\[llama\.cpp\]\s*/, '').replace(/\s+/g, ' '));
}

const loadLine = /llama_model_loader: loaded meta data with \d+ key-value pairs and \d+ tensors from (.+?) \(version/;

async function measure(label: string, modelPath: string, mmprojPath: string): Promise<void> {
	const server = await RuntimeServerProcess.start({
		env: { ...process.env, BORA_LLAMA_LOG: 'debug' },
		args: ['--model', modelPath, '--mmprojPath', mmprojPath, '--threads', '2'],
	});
	try {
		const pid = server.process.pid!;
		await server.waitForState('ready', () => true, 300_000);
		// The speed forecast measures on a context of its own a few seconds after the load: wait for it,
		// so that its context is in the first figure rather than in a later one.
		const ready = await server.waitForState('ready', state => state.forecast !== undefined, 120_000).catch(() => server.waitForState('ready'));
		const snapshots = [snapshot('model loaded', pid, modelPath)];
		const loadLog = bufferLines(server.logs);

		const uri = 'file:///bench/memory.js';
		await server.complete(uri, await server.open(uri, 'function add(a, b) {|\n'));
		// Random weights may never stop: the answer is cut after a few chunks (Stop), as a user would.
		const chatStop = new CancellationTokenSource();
		const chatting = server.chat({ chatId: 'chat', history: [], message: 'What does add do?', effort: 'off' }, chatStop.token).catch(() => undefined);
		await Promise.race([server.waitForChatChunks('chat', 8), chatting]);
		chatStop.cancel();
		await chatting;
		snapshots.push(snapshot('after completion and chat', pid, modelPath));

		const beforeImage = server.logs.length;
		const imageStop = new CancellationTokenSource();
		const started = performance.now();
		const image = server.connection.sendRequest(ExplainImageRequest.type, { chatId: 'image', base64: mostlyColouredPng(colours.red).toString('base64'), mime: 'image/png' }, imageStop.token)
			.then(result => `answered ${JSON.stringify(result.answer.slice(0, 40))} (${result.imageTokens} image tokens)`, (error: Error) => `stopped (${error.message})`);
		const answered = await Promise.race([image, server.waitForChatChunks('image', 8).then(() => undefined)]);
		imageStop.cancel();
		const imageOutcome = answered ?? await image;
		const imageMs = Math.round(performance.now() - started);
		snapshots.push(snapshot('after the first image question', pid, modelPath));
		const imageLog = server.logs.slice(beforeImage);
		const loads = server.logs.filter(line => loadLine.exec(line)?.[1] === modelPath).length;

		console.log(`\n${label}: ${modelPath.split('/').pop()} (${mib(statSync(modelPath).size)} MiB) + projector ${mmprojPath.split('/').pop()} (${mib(statSync(mmprojPath).size)} MiB); ${ready.backend}, ${ready.gpuLayers} GPU layers, 2 threads`);
		console.log('  llama.cpp buffers up to the first figure (the weights, then the completion and forecast contexts):');
		for (const line of loadLog) console.log(`    ${line}`);
		if (ready.fit) console.log(`  fit: ${ready.fit.summary}`);
		console.log('  state                              VmRSS    anon    file   GGUF maps  mapped  resident (MiB)');
		for (const s of snapshots) {
			console.log(`  ${s.state.padEnd(32)} ${String(s.rssMiB).padStart(7)} ${String(s.anonMiB).padStart(7)} ${String(s.fileMiB).padStart(7)} ${String(s.modelMappings).padStart(10)} ${String(s.modelMappedMiB).padStart(7)} ${String(s.modelResidentMiB).padStart(9)}`);
		}
		const [, chatDone, imageDone] = snapshots;
		console.log(`  first image: +${mib((imageDone!.rssMiB - chatDone!.rssMiB) * 1024 * 1024)} MiB resident; ${imageOutcome} in ${imageMs} ms; llama.cpp loads of the GGUF: ${loads}`);
		console.log('  image question (vision context and encoder):');
		for (const line of bufferLines(imageLog)) console.log(`    ${line}`);
		for (const line of imageLog.filter(entry => entry.startsWith('vision: image encoder on'))) console.log(`  ${line}`);
		console.log(JSON.stringify({ label, modelMiB: mib(statSync(modelPath).size), loads, snapshots }));
	} finally {
		await server.stop();
	}
}

const vision = await ensureVisionFixture();
await measure('vision fixture', vision.modelPath, vision.mmprojPath);
const moe = await ensureBenchMoeVision();
await measure('larger MoE', moe.modelPath, moe.mmprojPath);
