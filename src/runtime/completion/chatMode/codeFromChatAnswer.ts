/** A chat model's answer cut down to the code that goes at the cursor. */
export interface ChatAnswerCode {
	readonly code: string;
	/** A closing fence was seen: everything after it is prose, so generation can stop. */
	readonly closed: boolean;
}

const fenceLine = /^[ \t]*(```|~~~)([^\n`]*)$/m;

/**
 * Keeps only code from what an instruct model wrote: a leading fence is stripped, prose that only
 * introduces a fenced block ("Here is the code:") is dropped with it, and a closing fence ends the
 * code. Without fences the text is taken as code as it is.
 */
export function codeFromChatAnswer(answer: string): ChatAnswerCode {
	const first = fenceLine.exec(answer);
	if (!first) {
		return { code: answer, closed: false };
	}
	const before = answer.slice(0, first.index);
	const opens = before.trim() === '' || first[2]!.trim() !== '' || before.trimEnd().endsWith(':');
	if (!opens) {
		return { code: withoutFenceNewline(before), closed: true };
	}
	const afterOpening = answer.slice(first.index + first[0].length);
	if (!afterOpening.startsWith('\n')) {
		return { code: '', closed: false };
	}
	const body = afterOpening.slice(1);
	const closing = fenceLine.exec(body);
	return closing ? { code: withoutFenceNewline(body.slice(0, closing.index)), closed: true } : { code: body, closed: false };
}

/** The newline in front of a closing fence belongs to the fence. */
function withoutFenceNewline(code: string): string {
	return code.endsWith('\n') ? code.slice(0, -1) : code;
}

/**
 * Drops what the model repeated of the text around the cursor: the current line's text before the
 * cursor when the answer starts by rewriting it, and a tail that is the start of the suffix
 * (`return a + b;\n}` before a suffix of `\n}`).
 */
export function trimOverlap(code: string, { linePrefix, suffix }: { readonly linePrefix: string; readonly suffix: string }): string {
	let result = code;
	const typed = linePrefix.trim();
	if (typed.length >= 3 && result.trimStart().startsWith(typed)) {
		result = result.trimStart().slice(typed.length);
	}
	return withoutSuffixStart(result, suffix);
}

/** Removes the longest tail of `code` that is the start of `suffix` (ignoring the suffix's leading whitespace); the tail must hold more than whitespace. */
export function withoutSuffixStart(code: string, suffix: string): string {
	for (const candidate of [suffix, suffix.trimStart()]) {
		for (let length = Math.min(code.length, candidate.length); length > 0; length--) {
			const head = candidate.slice(0, length);
			if (head.trim() !== '' && code.endsWith(head)) {
				return code.slice(0, -length).trimEnd() === '' ? '' : code.slice(0, -length);
			}
		}
	}
	return code;
}
