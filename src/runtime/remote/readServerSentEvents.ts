/**
 * The `data:` payloads of a server-sent event stream, one per event, as they arrive. Comments,
 * `event:` and `id:` lines are skipped; a multi-line `data:` is joined with newlines, as the SSE
 * specification says. Ends when the body ends (the caller tells a finished answer from a cut one).
 */
export async function* readServerSentEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
	const decoder = new TextDecoder();
	let buffered = '';
	let data: string[] = [];
	const chunks = body[Symbol.asyncIterator]();
	try {
		for (;;) {
			const { done, value } = await chunks.next();
			buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
			let newline: number;
			while ((newline = buffered.search(/\r\n|\n|\r/)) >= 0) {
				const line = buffered.slice(0, newline);
				buffered = buffered.slice(newline + (buffered.startsWith('\r\n', newline) ? 2 : 1));
				if (line === '') {
					if (data.length > 0) {
						yield data.join('\n');
					}
					data = [];
				} else if (line.startsWith('data:')) {
					data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
				}
			}
			if (done) {
				// A last line without its line break still counts.
				if (buffered.startsWith('data:')) {
					data.push(buffered.slice(buffered.startsWith('data: ') ? 6 : 5));
				}
				if (data.length > 0) {
					yield data.join('\n');
				}
				return;
			}
		}
	} finally {
		// Stops the download when the consumer leaves early (a stop token, a cancel).
		await chunks.return?.().catch(() => undefined);
	}
}
