import { completionStatsText } from '../../shared/completionStatsText';
import type { CompletionStatsInfo, RemoteEngineReport, RemoteEngineStatus, RemoteModelStatus, RemoteRoleCheck, RemoteServerKind, RuntimeState } from '../../shared/protocol';
import type { CompletionOutcome } from '../completion/completionOutcome';
import { describeNoSuggestion } from '../describeState';
import type { ActionableError } from '../errorActions';

/** The remote engine as this window knows it: its settings, and what the runtime reported. */
export interface RemoteView {
	/** `bora.remote.url` as configured. */
	readonly url: string;
	/** `bora.remote.completionModel`; empty: the server's first model. */
	readonly completionModel: string;
	/** `bora.remote.chatModel`; empty: the completion model. */
	readonly chatModel: string;
	/**
	 * The runtime's `bora/remote/status`: undefined until it answered, null when it has none (a
	 * runtime that does not know the request, or one still in local mode).
	 */
	readonly status: RemoteEngineStatus | null | undefined;
}

/** The status bar's words in remote mode. */
export interface RemoteStatusBarView {
	readonly icon: string;
	readonly label: string;
	readonly severity: 'normal' | 'warning' | 'error';
	/** Markdown lines for the tooltip, first the one that matters. */
	readonly tooltip: readonly string[];
	/** The error whose buttons the tooltip offers. */
	readonly error?: ActionableError;
}

const serverNames: Readonly<Record<RemoteServerKind, string>> = { 'llama-server': 'llama-server', vllm: 'vLLM', sglang: 'SGLang', 'openai-compatible': 'an OpenAI-compatible server' };

/** `gpu-box:8000` for `http://gpu-box:8000/v1`; the text itself when it is not a URL. Never the credentials. */
export function hostOf(url: string): string {
	try {
		return new URL(url.trim()).host || url.trim();
	} catch {
		return url.trim();
	}
}

/**
 * The completion and chat model names: as the server reported them, else as configured, else what
 * empty means. A llama-server started without `--alias` names its model by the GGUF's path: the file
 * name says enough (tooltips keep the full id).
 */
export function remoteModelNames(view: RemoteView): { readonly completion: string; readonly chat: string } {
	const completion = displayModelName(view.status?.completionModel?.name || view.completionModel) || "the server's first model";
	const chat = displayModelName(view.status?.chatModel?.name || view.chatModel) || completion;
	return { completion, chat };
}

/** `model.gguf` for `/models/model.gguf` (or `C:\models\model.gguf`); any other id as it is. */
export function displayModelName(id: string): string {
	return /^(\/|[A-Za-z]:\\)/.test(id) ? id.split(/[\\/]/).pop() || id : id;
}

/**
 * The view with the runtime's own error folded in: a runtime in remote mode may report a remote
 * failure (no URL, say) as its state rather than as the status's last error.
 */
export function withStateError(view: RemoteView, runtime: RuntimeState): RemoteView {
	if (runtime.kind !== 'error' || view.status?.lastError) {
		return view;
	}
	return { ...view, status: { url: view.url, hasApiKey: false, ...(view.status ?? {}), lastError: runtime.error } };
}

/** The error the status bar and the status picker offer buttons for: no URL, or the last failure talking to the server. */
export function remoteErrorOf(view: RemoteView): ActionableError | undefined {
	if (view.url.trim() === '') {
		return { code: 'remoteNotConfigured', text: notConfigured };
	}
	const error = view.status?.lastError;
	return error ? { code: error.code, text: `${error.message} ${error.action}` } : undefined;
}

const notConfigured = 'bora.engine is remote, but bora.remote.url is empty. Set it to the base URL of an OpenAI-compatible server (vLLM, SGLang, llama-server).';

/**
 * The status bar in remote mode: the host, the models, the last latency and, while the server
 * fails, what failed with its buttons. `runtime`: the runtime's state, when it says it is still
 * connecting (a runtime that probes the server as it "loads").
 */
export function describeRemoteStatusBar(view: RemoteView, completionEnabled: boolean, outcome: CompletionOutcome, runtime?: RuntimeState): RemoteStatusBarView {
	const host = hostOf(view.url);
	if (runtime?.kind === 'loading' && view.url.trim() !== '') {
		return { icon: 'loading~spin', label: `Bora: ${host}`, severity: 'normal', tooltip: [`Connecting to the remote engine at \`${host}\`…`] };
	}
	if (view.url.trim() === '') {
		return { icon: 'cloud', label: 'Bora: remote, no URL', severity: 'warning', tooltip: [`**Remote engine not configured:** ${notConfigured}`], error: remoteErrorOf(view) };
	}
	const names = remoteModelNames(view);
	const server = view.status?.serverKind ? `${serverNames[view.status.serverKind]} at ` : '';
	const engine = `**Remote engine:** ${server}\`${host}\` · completion **${names.completion}** · chat **${names.chat}**`;
	const error = remoteErrorOf(view);
	if (error && view.status?.lastError) {
		const { message, action } = view.status.lastError;
		return { icon: 'error', label: `Bora: ${host}`, severity: 'error', tooltip: [`**${host} failed:** ${message}`, `**What to do:** ${action}`, engine], error };
	}
	const latency = [
		...(outcome.stats ? [`Last suggestion: ${Math.round(outcome.stats.totalMs)} ms`] : []),
		...(view.status?.forecastMs !== undefined ? [`forecast ≈ ${Math.round(view.status.forecastMs)} ms`] : []),
	];
	const unknown = view.status === null ? ["The runtime does not report the remote engine's status (**Bora: Test Remote Engine** checks it)."] : [];
	const none = outcome.noSuggestion ? [`Last request: ${lowerFirst(describeNoSuggestion(outcome.noSuggestion))}`] : [];
	return {
		icon: completionEnabled ? 'cloud' : 'circle-slash',
		label: `Bora: ${host}`,
		severity: 'normal',
		tooltip: [`${engine}${completionEnabled ? '' : ' · inline completion off'}`, ...(latency.length > 0 ? [latency.join(' · ')] : []), ...(completionEnabled ? none : []), ...unknown],
	};
}

/** One row of the Models view's Engine section. */
export interface EngineLine {
	readonly text: string;
	readonly icon: string;
	readonly tooltip?: string;
}

/**
 * The Models view's "Engine" section: where prompts go, the server kind, each model with its context
 * length, the latency forecast, the last request's stats (prompt tokens the server had cached), the
 * API key's presence, the last error, and that everything in a prompt leaves this machine.
 */
export function describeEngine(view: RemoteView, lastStats?: CompletionStatsInfo): EngineLine[] {
	if (view.url.trim() === '') {
		return [{ text: 'URL: not set (bora.remote.url)', icon: 'warning', tooltip: notConfigured }];
	}
	const status = view.status;
	const host = hostOf(view.url);
	const names = remoteModelNames(view);
	const lines: EngineLine[] = [
		{ text: `URL: ${status?.url || view.url.trim()}`, icon: 'cloud', tooltip: 'bora.remote.url: Bora sends requests only here.' },
		{ text: `Server: ${status?.serverKind ? serverNames[status.serverKind] : status === null ? 'not reported by the runtime' : 'asking…'}`, icon: 'server' },
		{ text: `Completion: ${describeModel(names.completion, status?.completionModel)}`, icon: 'sparkle', tooltip: `${status?.completionModel?.name ?? names.completion}\nbora.remote.completionModel` },
		{ text: `Chat: ${describeModel(names.chat, status?.chatModel)}`, icon: 'comment-discussion', tooltip: `${status?.chatModel?.name ?? names.chat}\nbora.remote.chatModel` },
	];
	if (status) {
		lines.push({ text: `Speed: ${status.forecastMs === undefined ? 'measuring…' : `≈ ${Math.round(status.forecastMs)} ms per suggestion, measured against ${host}`}`, icon: 'dashboard' });
		lines.push({ text: `API key: ${status.hasApiKey ? 'set (kept in VS Code\'s secret storage)' : 'none (Bora: Set Remote API Key…)'}`, icon: 'key' });
	}
	if (lastStats) {
		lines.push({
			text: `Last completion: ${lastStats.promptTokens} prompt tokens, ${lastStats.cachedPromptTokens} cached on the server · ${Math.round(lastStats.totalMs)} ms`,
			icon: 'history',
			tooltip: completionStatsText(lastStats),
		});
	}
	if (status?.lastError) {
		lines.push({ text: `Error: ${status.lastError.message}`, icon: 'error', tooltip: status.lastError.action });
	}
	lines.push({
		text: `Privacy: everything in a prompt leaves this machine for ${host}`,
		icon: 'globe',
		tooltip: 'Code around the cursor, extra context from other workspace files (bora.remote.sendExtraContext), chat messages with their attachments, and images are sent to the remote engine.',
	});
	return lines;
}

/** "qwen2.5-coder-1.5b · 32,768-token context · FIM qwen · images" */
function describeModel(name: string, model: RemoteModelStatus | undefined): string {
	const facts = [
		name,
		...(model?.contextLength ? [`${model.contextLength.toLocaleString('en-US')}-token context`] : []),
		...(model?.fimFormat ? [model.fimFormat === 'chat' ? 'chat-model completion' : `FIM ${model.fimFormat}`] : []),
		...(model?.acceptsImages === undefined ? [] : [model.acceptsImages ? 'accepts images' : 'no images']),
	];
	return facts.join(' · ');
}

/** What **Bora: Test Remote Engine** shows: a one-line summary for the notification, and a line per role. */
export interface TestReportView {
	readonly ok: boolean;
	/** Only images failed (a server without a vision projector): completion and chat work. */
	readonly imagesOnly: boolean;
	readonly summary: string;
	readonly lines: readonly string[];
}

const roleNames: Readonly<Record<RemoteRoleCheck['role'], string>> = { server: 'Server', completion: 'Completion', chat: 'Chat', images: 'Images' };

export function describeTestReport(report: RemoteEngineReport): TestReportView {
	const host = hostOf(report.status.url);
	const failed = report.checks.filter(check => !check.ok);
	const lines = report.checks.map(check => `${check.ok ? '✓' : '✗'} ${roleNames[check.role]}: ${check.detail}`);
	if (report.checks.length === 0) {
		return { ok: false, imagesOnly: false, summary: `${host}: the runtime checked nothing.`, lines };
	}
	const summary = failed.length === 0
		? `${host}: all ${report.checks.length} checks passed (${report.checks.map(check => roleNames[check.role].toLowerCase()).join(', ')}).`
		: `${host}: ${failed.map(check => roleNames[check.role].toLowerCase()).join(', ')} failed; ${report.checks.length - failed.length} of ${report.checks.length} passed. ${failed[0]!.detail}`;
	return { ok: failed.length === 0, imagesOnly: failed.length > 0 && failed.every(check => check.role === 'images'), summary, lines };
}

/**
 * Whether the server, not Bora, bounds the thought: Bora sends the effort, and only llama-server takes
 * a thought budget with it (`reasoning_budget`); vLLM, SGLang and gateways decide themselves. Unknown
 * until the runtime reported the server kind.
 */
export function serverSetsThoughtBudget(status: RemoteEngineStatus | null | undefined): boolean {
	return status?.serverKind !== undefined && status.serverKind !== 'llama-server';
}

function lowerFirst(text: string): string {
	return text.charAt(0).toLowerCase() + text.slice(1);
}
