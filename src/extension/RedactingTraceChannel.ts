import type * as vscode from 'vscode';

/** What the protocol trace writes in place of a secret. */
export const redactedText = '«redacted»';

/**
 * Secrets this window holds in memory (the remote API key) that must never reach a log line. The
 * protocol trace (`bora.trace.server` verbose, at log level Trace) writes every notification's
 * parameters, the API key's included; the trace channel passes each line through {@link redact}.
 */
export class SecretRedactor {
	private secrets: readonly string[] = [];

	/** The secrets to hide from now on (the previous ones are no longer sent, so they are dropped). */
	set(secrets: readonly (string | null | undefined)[]): void {
		// The JSON form too: a key with a quote or backslash is traced escaped.
		this.secrets = secrets.flatMap(secret => secret ? [secret, JSON.stringify(secret).slice(1, -1)] : []);
	}

	redact(text: string): string {
		let result = text;
		for (const secret of this.secrets) {
			result = result.split(secret).join(redactedText);
		}
		return result;
	}
}

/**
 * The LanguageClient's trace channel: the Bora log itself, with each line redacted. Owned by the
 * log's owner, so disposing it does nothing.
 */
export function redactingTraceChannel(log: vscode.LogOutputChannel, redactor: SecretRedactor): vscode.LogOutputChannel {
	const redact = (value: string | Error): string | Error => typeof value === 'string' ? redactor.redact(value) : new Error(redactor.redact(value.message));
	return {
		get name() {
			return log.name;
		},
		get logLevel() {
			return log.logLevel;
		},
		onDidChangeLogLevel: log.onDidChangeLogLevel,
		trace: (message: string, ...args: unknown[]) => log.trace(redactor.redact(message), ...args.map(arg => redactor.redact(String(arg)))),
		debug: (message: string, ...args: unknown[]) => log.debug(redactor.redact(message), ...args.map(arg => redactor.redact(String(arg)))),
		info: (message: string, ...args: unknown[]) => log.info(redactor.redact(message), ...args.map(arg => redactor.redact(String(arg)))),
		warn: (message: string, ...args: unknown[]) => log.warn(redactor.redact(message), ...args.map(arg => redactor.redact(String(arg)))),
		error: (error: string | Error, ...args: unknown[]) => log.error(redact(error), ...args.map(arg => redactor.redact(String(arg)))),
		append: (value: string) => log.append(redactor.redact(value)),
		appendLine: (value: string) => log.appendLine(redactor.redact(value)),
		replace: (value: string) => log.replace(redactor.redact(value)),
		clear: () => log.clear(),
		show: (column?: vscode.ViewColumn | boolean, preserveFocus?: boolean) => typeof column === 'boolean' || column === undefined ? log.show(column) : log.show(column, preserveFocus),
		hide: () => log.hide(),
		dispose: () => undefined,
	};
}
