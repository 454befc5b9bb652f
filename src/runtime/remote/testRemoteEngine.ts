import type { BackendCompletionRequest, BackendCompletionResult } from '../completion/CompletionBackend';
import type { ChatEngineRequest, ChatEngineResult } from '../chat/ChatEngine';
import { RuntimeError } from '../errors/RuntimeError';
import type { ExplainImageResult } from '../vision/VisionEngine';
import type { ImageQuestion } from '../vision/VisionService';
import type { RemoteRoleCheck } from '../../shared/protocol';
import type { RemoteFacts } from './RemoteFacts';
import { sampleImagePng } from './sampleImage';

/** What the check runs on: the engine's own paths, so a check passes exactly when the real request would. */
export interface RemoteEngineUnderTest {
	facts(): Promise<RemoteFacts>;
	complete(request: Omit<BackendCompletionRequest, 'signal'>): Promise<BackendCompletionResult>;
	chat(request: ChatEngineRequest): Promise<ChatEngineResult>;
	explainImage(question: ImageQuestion): Promise<ExplainImageResult>;
	/** What the server said about images; `false` skips the image try. */
	imagesKnown(): boolean | undefined;
}

/** Each role tried once, one line each: what worked and how fast, or what failed and what to do. */
export async function testRemoteEngine(engine: RemoteEngineUnderTest): Promise<RemoteRoleCheck[]> {
	let facts: RemoteFacts;
	const started = performance.now();
	try {
		facts = await engine.facts();
	} catch (error) {
		const detail = describe(error);
		const skipped = `Not tried: the server check failed.`;
		return [
			{ role: 'server', ok: false, detail },
			{ role: 'completion', ok: false, detail: skipped },
			{ role: 'chat', ok: false, detail: skipped },
			{ role: 'images', ok: false, detail: skipped },
		];
	}
	const checks: RemoteRoleCheck[] = [{
		role: 'server', ok: true,
		detail: `${facts.server.kind}, ${facts.server.models.length} model${facts.server.models.length === 1 ? '' : 's'}; asked in ${ms(started)}.`,
	}];
	checks.push(await check('completion', async () => {
		const at = performance.now();
		const result = await engine.complete({ prefix: 'function add(a, b) {\n\t', suffix: '\n}\n', fileName: 'check.js', extraContext: [], candidates: 1, alternativesSignal: new AbortController().signal, onText: () => undefined });
		const mode = facts.fim.kind === 'chat' ? 'chat-model mode' : `FIM ${facts.fim.format.name}`;
		return `${facts.completion.id} (${mode}) suggested ${JSON.stringify(result.text.slice(0, 40))} in ${ms(at)}.`;
	}));
	checks.push(await check('chat', async () => {
		const at = performance.now();
		const result = await engine.chat({ history: [], message: 'Reply with the word OK.', effort: 'off', maxTokens: 32 });
		return `${facts.chat.id} answered ${JSON.stringify(result.answer.trim().slice(0, 40))} in ${ms(at)}${facts.reasoning.supported ? ` (reasoning: ${facts.reasoning.family})` : ''}.`;
	}));
	if (engine.imagesKnown() === false) {
		checks.push({ role: 'images', ok: false, detail: `${facts.chat.id} does not accept images${facts.server.kind === 'llama-server' ? ' (llama-server runs without --mmproj)' : ''}.` });
	} else {
		checks.push(await check('images', async () => {
			const at = performance.now();
			const result = await engine.explainImage({ image: sampleImagePng, question: 'What colour is this?' });
			return `${facts.chat.id} read a test image (${JSON.stringify(result.answer.trim().slice(0, 40))}) in ${ms(at)}.`;
		}));
	}
	return checks;
}

async function check(role: RemoteRoleCheck['role'], run: () => Promise<string>): Promise<RemoteRoleCheck> {
	try {
		return { role, ok: true, detail: await run() };
	} catch (error) {
		return { role, ok: false, detail: describe(error) };
	}
}

function describe(error: unknown): string {
	return error instanceof RuntimeError ? `${error.message} ${error.action}` : error instanceof Error ? error.message : String(error);
}

function ms(since: number): string {
	return `${Math.round(performance.now() - since)} ms`;
}
