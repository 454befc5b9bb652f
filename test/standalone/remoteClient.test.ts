import assert from 'node:assert/strict';
import { chatProblem } from '../../src/extension/chat/chatAvailability';
import { describeEffortControl, serverBudgetNote } from '../../src/extension/chat/effortControl';
import { commandOf, errorActions, isErrorAction } from '../../src/extension/errorActions';
import { redactedText, SecretRedactor } from '../../src/extension/RedactingTraceChannel';
import { describeEngine, describeRemoteStatusBar, displayModelName, describeTestReport, hostOf, remoteErrorOf, withStateError, type RemoteView } from '../../src/extension/remote/describeRemote';
import { isLoopback, plainHttpMessage, plainHttpWarning } from '../../src/extension/remote/plainHttpWarning';
import type { CompletionStatsInfo, RemoteEngineStatus } from '../../src/shared/protocol';

const status: RemoteEngineStatus = {
	url: 'http://gpu-box:8080',
	serverKind: 'llama-server',
	completionModel: { name: 'qwen-fim', contextLength: 32768, fimFormat: 'qwen' },
	chatModel: { name: 'mistral-small', contextLength: 131072, acceptsImages: true },
	hasApiKey: true,
	forecastMs: 182.4,
};
const view = (extra: Partial<RemoteView> = {}): RemoteView => ({ url: 'http://gpu-box:8080', completionModel: '', chatModel: '', status, ...extra });
const running = { kind: 'runtime', runtime: { kind: 'idle', reason: { code: 'noModel', message: 'No model.', action: 'Pick one.' } } } as const;
const stats: CompletionStatsInfo = {
	uri: 'file:///a.ts', line: 3, promptTokens: 812, cachedPromptTokens: 790, promptMs: 20, generatedTokens: 8, generationMs: 90, totalMs: 121.6, cacheHit: true, stopReason: 'eos',
};

describe('remote engine, extension side', () => {
	describe('plain http warning', () => {
		it('warns for http:// to another host, with the host as written', () => {
			assert.deepEqual(plainHttpWarning('http://gpu-box:8000/v1'), { url: 'http://gpu-box:8000/v1', host: 'gpu-box:8000' });
			assert.deepEqual(plainHttpWarning(' http://10.0.0.5 '), { url: 'http://10.0.0.5', host: '10.0.0.5' });
			assert.match(plainHttpMessage(plainHttpWarning('http://gpu-box:8000')!), /plain http:\/\/ to gpu-box:8000.*API key cross the network unencrypted/);
		});

		it('does not warn for https, loopback, or text that is not a URL', () => {
			for (const url of ['https://gpu-box:8000', 'http://127.0.0.1:8080', 'http://127.8.9.10', 'http://localhost:8080/v1', 'http://api.localhost', 'http://[::1]:8080', 'http://[::ffff:127.0.0.1]:1', '', 'gpu-box:8000', 'not a url']) {
				assert.equal(plainHttpWarning(url), undefined, url);
			}
		});

		it('loopback is 127.0.0.0/8, localhost and ::1, not a host that starts like one', () => {
			assert.ok(isLoopback('127.0.0.1') && isLoopback('LOCALHOST') && isLoopback('[::1]'));
			assert.ok(!isLoopback('127.example.com') && !isLoopback('localhost.example.com') && !isLoopback('128.0.0.1'));
		});
	});

	describe('status bar', () => {
		it('names the host, the server kind and both models, with the last latency and the forecast', () => {
			const bar = describeRemoteStatusBar(view(), true, { stats });
			assert.equal(bar.label, 'Bora: gpu-box:8080');
			assert.equal(bar.severity, 'normal');
			assert.equal(bar.icon, 'cloud');
			assert.deepEqual(bar.tooltip, ['**Remote engine:** llama-server at `gpu-box:8080` · completion **qwen-fim** · chat **mistral-small**', 'Last suggestion: 122 ms · forecast ≈ 182 ms']);
			assert.equal(bar.error, undefined);
		});

		it('falls back to the configured names, and says so when the runtime reports no status', () => {
			const bar = describeRemoteStatusBar(view({ status: null, completionModel: 'fim', chatModel: '' }), true, {});
			assert.equal(bar.tooltip[0], '**Remote engine:** `gpu-box:8080` · completion **fim** · chat **fim**');
			assert.match(bar.tooltip.at(-1)!, /does not report the remote engine's status.*Test Remote Engine/);
		});

		it("a failing server's error comes first, with its buttons: a wrong key offers Set Remote API Key…", () => {
			const failing = view({ status: { ...status, lastError: { code: 'remoteUnauthorized', message: 'The server refused the API key (401).', action: 'Set the right key with Bora: Set Remote API Key….' } } });
			const bar = describeRemoteStatusBar(failing, true, {});
			assert.equal(bar.severity, 'error');
			assert.equal(bar.tooltip[0], '**gpu-box:8080 failed:** The server refused the API key (401).');
			assert.deepEqual(errorActions(bar.error!).map(button => button.label), ['Set Remote API Key…', 'Test Remote Engine']);
		});

		it('shows a spinner while the runtime still connects', () => {
			const bar = describeRemoteStatusBar(view({ status: undefined }), true, {}, { kind: 'loading', modelPath: 'http://gpu-box:8080', progress: 0 });
			assert.deepEqual([bar.icon, bar.label, bar.tooltip], ['loading~spin', 'Bora: gpu-box:8080', ['Connecting to the remote engine at `gpu-box:8080`…']]);
		});

		it('no URL is a warning whose button opens bora.remote.url', () => {
			const bar = describeRemoteStatusBar(view({ url: '', status: undefined }), true, {});
			assert.equal(bar.label, 'Bora: remote, no URL');
			assert.deepEqual(errorActions(bar.error!), [
				{ label: 'Open Settings', action: { kind: 'openSettings', settingId: 'bora.remote.url' } },
				{ label: 'Test Remote Engine', action: { kind: 'testRemoteEngine' } },
			]);
		});

		it("folds the runtime's error state in when the status has no error of its own", () => {
			const state = { kind: 'error', modelPath: '', error: { code: 'remoteNotConfigured', message: 'No URL.', action: 'Set bora.remote.url.' } } as const;
			assert.equal(remoteErrorOf(withStateError(view({ status: null }), state))?.code, 'remoteNotConfigured');
			const fine = view();
			assert.equal(withStateError(fine, running.runtime), fine, 'a runtime without an error changes nothing');
		});
	});

	describe('error buttons for remote codes', () => {
		it('unreachable: the URL setting and the test; unknown model: the model names; 5xx, 429 and timeouts: the test', () => {
			const labelsOf = (code: Parameters<typeof errorActions>[0]['code'], text: string) => errorActions({ code, text }).map(button => 'settingId' in button.action ? `${button.label} ${button.action.settingId}` : button.label);
			assert.deepEqual(labelsOf('remoteUnreachable', 'Cannot reach gpu-box:8080 (connection refused).'), ['Open Settings bora.remote.url', 'Test Remote Engine']);
			assert.deepEqual(labelsOf('remoteModelNotFound', 'The server has no model "qwen".'), ['Open Settings bora.remote.completionModel', 'Test Remote Engine']);
			assert.deepEqual(labelsOf('remoteModelNotFound', 'The server has no model "big"; check bora.remote.chatModel.'), ['Open Settings bora.remote.chatModel', 'Test Remote Engine']);
			for (const code of ['remoteServerError', 'remoteRateLimited', 'remoteTimeout'] as const) {
				assert.deepEqual(labelsOf(code, 'The server failed.'), ['Test Remote Engine'], code);
			}
		});

		it('the new actions run their commands and pass the panel check', () => {
			assert.deepEqual(commandOf({ kind: 'setRemoteApiKey' }, undefined), { command: 'bora.setRemoteApiKey', args: [] });
			assert.deepEqual(commandOf({ kind: 'testRemoteEngine' }, undefined), { command: 'bora.testRemoteEngine', args: [] });
			assert.ok(isErrorAction({ kind: 'setRemoteApiKey' }) && isErrorAction({ kind: 'testRemoteEngine' }));
		});
	});

	describe('Models view: Engine section', () => {
		it('shows URL, server, models with context length, speed, key, last request and the privacy line', () => {
			const lines = describeEngine(view(), stats).map(line => line.text);
			assert.deepEqual(lines, [
				'URL: http://gpu-box:8080',
				'Server: llama-server',
				'Completion: qwen-fim · 32,768-token context · FIM qwen',
				'Chat: mistral-small · 131,072-token context · accepts images',
				'Speed: ≈ 182 ms per suggestion, measured against gpu-box:8080',
				"API key: set (kept in VS Code's secret storage)",
				'Last completion: 812 prompt tokens, 790 cached on the server · 122 ms',
				'Privacy: everything in a prompt leaves this machine for gpu-box:8080',
			]);
		});

		it('without a status it shows the settings and that the runtime did not report; with an error, the error', () => {
			assert.deepEqual(describeEngine(view({ status: null, completionModel: 'fim' })).map(line => line.text).slice(0, 4), ['URL: http://gpu-box:8080', 'Server: not reported by the runtime', 'Completion: fim', 'Chat: fim']);
			const failing = describeEngine(view({ status: { ...status, lastError: { code: 'remoteTimeout', message: 'No answer in 5 s.', action: 'Check the server.' } } }));
			assert.ok(failing.some(line => line.text === 'Error: No answer in 5 s.' && line.icon === 'error'));
			assert.deepEqual(describeEngine(view({ url: '' })).map(line => line.text), ['URL: not set (bora.remote.url)']);
		});
	});

	it("a llama-server without --alias names its model by path: the file name is shown", () => {
		const byPath = view({ status: { ...status, completionModel: { name: '/models/qwen-fim.gguf' }, chatModel: { name: 'C:\\m\\chat.gguf' } } });
		const bar = describeRemoteStatusBar(byPath, true, {});
		assert.match(bar.tooltip[0]!, /completion \*\*qwen-fim\.gguf\*\* · chat \*\*chat\.gguf\*\*/);
		assert.equal(describeEngine(byPath)[2]!.tooltip, '/models/qwen-fim.gguf\nbora.remote.completionModel');
		assert.equal(displayModelName('org/model-7b'), 'org/model-7b', 'a relative id (a Hugging Face name) stays');
	});

	it('Test Remote Engine: a line per role and a summary that names what failed', () => {
		const passed = describeTestReport({ status, checks: [{ role: 'server', ok: true, detail: 'llama-server, 12 ms' }, { role: 'completion', ok: true, detail: 'FIM qwen, 120 ms' }] });
		assert.deepEqual(passed, { ok: true, imagesOnly: false, summary: 'gpu-box:8080: all 2 checks passed (server, completion).', lines: ['✓ Server: llama-server, 12 ms', '✓ Completion: FIM qwen, 120 ms'] });
		const failed = describeTestReport({ status, checks: [{ role: 'server', ok: true, detail: 'ok' }, { role: 'images', ok: false, detail: 'mistral-small accepts no images.' }] });
		assert.equal(failed.ok, false);
		assert.equal(failed.summary, 'gpu-box:8080: images failed; 1 of 2 passed. mistral-small accepts no images.');
		assert.equal(failed.imagesOnly, true, 'completion and chat work: a warning, not an error');
		assert.equal(hostOf('https://user:secret@gw.example.com/v1'), 'gw.example.com');
	});

	describe('chat', () => {
		it("the effort control says the thought budget is the server's on vLLM, not on llama-server", () => {
			const vllm = describeEffortControl(running, 'high', view({ status: { ...status, serverKind: 'vllm' } }));
			assert.equal(vllm.disabledReason, undefined);
			assert.equal(vllm.model, 'mistral-small');
			assert.ok(vllm.note?.startsWith(serverBudgetNote));
			assert.match(vllm.levels.find(level => level.value === 'high')!.description!, /the server decides/);
			const llama = describeEffortControl(running, 'high', view());
			assert.equal(llama.note, undefined);
			assert.equal(llama.disabledReason, undefined, 'no local model is needed');
		});

		it("a runtime that describes the server's model as ready keeps its reasoning facts, plus the server's budget", () => {
			const model = {
				name: 'magistral', path: 'http://gpu-box:8080/v1#magistral', architecture: 'vllm', sizeBytes: 0, trainContextSize: 40960, hasChatTemplate: true,
				fim: { supported: false, reason: 'chat only' }, reasoning: { supported: true, family: 'magistral', canTurnOff: false },
			} as const;
			const ready = { kind: 'runtime', runtime: { kind: 'ready', model, backend: 'cpu', threads: 1, loadMs: 0 } } as const;
			const control = describeEffortControl(ready, 'off', view({ status: { ...status, serverKind: 'vllm' } }));
			assert.equal(control.model, 'magistral');
			assert.match(control.levels[0]!.disabledReason ?? '', /always reasons/);
			assert.ok(control.note?.startsWith(serverBudgetNote));
		});

		it('needs no local model in remote mode; a runtime error still stops the message', () => {
			assert.equal(chatProblem(running, '', true), undefined);
			assert.match(chatProblem(running, '') ?? '', /No model/);
			assert.equal(chatProblem({ kind: 'runtime', runtime: { kind: 'error', modelPath: '', error: { code: 'remoteNotConfigured', message: 'No URL.', action: 'Set bora.remote.url.' } } }, '', true), 'No URL. Set bora.remote.url.');
		});
	});

	it('the protocol trace never shows the API key, plain or JSON-escaped', () => {
		const redactor = new SecretRedactor();
		redactor.set(['sk-"abc\\1']);
		const traced = `Params: ${JSON.stringify({ apiKey: 'sk-"abc\\1' })}`;
		assert.equal(redactor.redact(traced), `Params: {"apiKey":"${redactedText}"}`);
		assert.equal(redactor.redact('key sk-"abc\\1 here'), `key ${redactedText} here`);
		redactor.set([null]);
		assert.equal(redactor.redact(traced), traced, 'a cleared key is no longer hidden (nor sent)');
	});
});
