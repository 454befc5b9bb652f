import { LlamaText, SpecialToken, SpecialTokensText, type BuiltinSpecialTokenValue } from 'node-llama-cpp';

/**
 * Chat wrapper settings and rendered context states cross the worker boundary by structured clone,
 * which keeps plain data but drops the classes of `LlamaText`, `SpecialTokensText` and
 * `SpecialToken` (a special token would arrive as plain text). These are marked on the way out and
 * rebuilt on the way in, so what the main thread gets is what the worker's wrapper returned.
 */
export type Encoded = unknown;

const llamaTextKey = '$boraLlamaText';
const specialTextKey = '$boraSpecialTokensText';
const specialTokenKey = '$boraSpecialToken';

export function encodeLlamaValues(value: unknown): Encoded {
	if (LlamaText.isLlamaText(value)) {
		return { [llamaTextKey]: value.toJSON() };
	}
	if (value instanceof SpecialTokensText) {
		return { [specialTextKey]: value.value };
	}
	if (value instanceof SpecialToken) {
		return { [specialTokenKey]: value.value };
	}
	if (Array.isArray(value)) {
		return value.map(encodeLlamaValues);
	}
	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, encodeLlamaValues(item)]));
	}
	return value;
}

export function decodeLlamaValues<T>(value: Encoded): T {
	return decode(value) as T;
}

function decode(value: unknown): unknown {
	if (Array.isArray(value)) {
		return value.map(decode);
	}
	if (typeof value !== 'object' || value === null) {
		return value;
	}
	const record = value as Record<string, unknown>;
	if (llamaTextKey in record) {
		return LlamaText.fromJSON(record[llamaTextKey] as Parameters<typeof LlamaText.fromJSON>[0]);
	}
	if (specialTextKey in record) {
		return new SpecialTokensText(record[specialTextKey] as string);
	}
	if (specialTokenKey in record) {
		return new SpecialToken(record[specialTokenKey] as BuiltinSpecialTokenValue);
	}
	return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, decode(item)]));
}
