import assert from 'node:assert/strict';
import { answerChunk, foldChunk, type StreamedAnswer } from '../../src/shared/chatChunks';
import type { ChatChunk } from '../../src/shared/protocol';
import type { TurnView } from '../../src/shared/webviewMessages';

const chunk = (kind: ChatChunk['kind'], text: string, thoughtTokens: number, thoughtBudget?: number): ChatChunk =>
	({ chatId: 'chat/1', kind, text, thoughtTokens, ...(thoughtBudget !== undefined ? { thoughtBudget } : {}) });

describe('the fold of streamed chat chunks into a turn', () => {
	const empty: StreamedAnswer = { thought: '', answer: '', thoughtTokens: 0 };

	it('appends thought and answer text to their own parts, in order', () => {
		const chunks = [chunk('thought', 'Let me ', 2, 2048), chunk('thought', 'think.', 4), chunk('answer', 'It is ', 4), chunk('answer', '42.', 4)];
		assert.deepEqual(chunks.reduce(foldChunk, empty), { thought: 'Let me think.', answer: 'It is 42.', thoughtTokens: 4, thoughtBudget: 2048 });
	});

	it('takes the running thought-token count from each chunk, and keeps a budget until a chunk names another', () => {
		const withBudget = foldChunk(empty, chunk('thought', 'a', 1, 512));
		assert.equal(foldChunk(withBudget, chunk('thought', 'b', 3)).thoughtBudget, 512);
		assert.equal(foldChunk(withBudget, chunk('thought', 'b', 3, 1024)).thoughtBudget, 1024);
		assert.equal(foldChunk(withBudget, chunk('answer', 'c', 3)).thoughtTokens, 3);
		assert.equal('thoughtBudget' in foldChunk(empty, chunk('answer', 'x', 0)), false);
	});

	it('keeps every other field of the turn, and never changes the turn it was given', () => {
		const turn: TurnView = { user: 'Why?', attachments: ['add.js'], thought: '', answer: 'Be', thoughtTokens: 0, notice: 'n' };
		const next = foldChunk(turn, chunk('answer', 'cause.', 0));
		assert.deepEqual(next, { ...turn, answer: 'Because.' });
		assert.equal(turn.answer, 'Be');
	});

	it('the webview gets the chunk without its chatId, and folds it to the same turn as the host', () => {
		const wire = chunk('thought', 'hm', 5, 256);
		const message = answerChunk(wire);
		assert.deepEqual(message, { kind: 'thought', text: 'hm', thoughtTokens: 5, thoughtBudget: 256 });
		assert.deepEqual(foldChunk(empty, message), foldChunk(empty, wire));
		assert.deepEqual(answerChunk(chunk('answer', 'x', 0)), { kind: 'answer', text: 'x', thoughtTokens: 0 });
	});
});
