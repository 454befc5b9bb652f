/** A piece of editor context sent with a chat message. */
export interface Attachment {
	/** Shown on the chip and in the fence header, e.g. `src/add.js` or `src/add.js:3-7`. */
	readonly label: string;
	/** Fence language id, e.g. `javascript`; empty when unknown. */
	readonly language: string;
	readonly text: string;
}

/**
 * The message the model sees: the user's text, then each attachment as a fenced block headed by its
 * name. The fence is longer than any backtick run inside the text, so code can never close it early.
 */
export function formatMessage(text: string, attachments: readonly Attachment[]): string {
	if (attachments.length === 0) {
		return text;
	}
	const blocks = attachments.map(attachment => {
		const longestRun = Math.max(0, ...(attachment.text.match(/`+/g) ?? []).map(run => run.length));
		const fence = '`'.repeat(Math.max(3, longestRun + 1));
		const body = attachment.text.endsWith('\n') ? attachment.text : `${attachment.text}\n`;
		return `${attachment.label}:\n${fence}${attachment.language}\n${body}${fence}`;
	});
	return `${text}\n\n${blocks.join('\n\n')}`;
}
