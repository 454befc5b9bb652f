import assert from 'node:assert/strict';
import { ChatHistory, historyForModel, toChatView, type HistoryStore, type StoredTurn } from '../../src/extension/chat/ChatHistory';

class MemoryStore implements HistoryStore {
	readonly values = new Map<string, unknown>();
	get<T>(key: string): T | undefined {
		return structuredClone(this.values.get(key)) as T | undefined;
	}
	async update(key: string, value: unknown): Promise<void> {
		this.values.set(key, structuredClone(value));
	}
}

const turn = (user: string, extra: Partial<StoredTurn> = {}): StoredTurn => ({
	user, message: `${user}\n(context)`, attachments: [], thought: '', answer: `answer to ${user}`, thoughtTokens: 0, ...extra,
});

describe('chat history', () => {
	let next = 0;
	const newId = () => `chat-${++next}`;

	it('keeps the open chat stable until it has turns, then saves it', async () => {
		const store = new MemoryStore();
		const history = new ChatHistory(store, newId);
		const id = history.current.id;
		assert.equal(history.current.id, id);
		assert.deepEqual(history.all, []);
		await history.putTurn(turn('How do I add?'));
		assert.equal(history.current.id, id);
		assert.equal(history.current.title, 'How do I add?');
		assert.equal(history.all.length, 1);
	});

	it('survives a reload: a new instance on the same store reopens the same chat with every turn', async () => {
		const store = new MemoryStore();
		const first = new ChatHistory(store, newId);
		await first.putTurn(turn('one'));
		await first.putTurn(turn('two', { answer: '', error: "Bora's runtime stopped while answering." }));
		const reloaded = new ChatHistory(store, newId);
		assert.equal(reloaded.current.id, first.current.id);
		assert.deepEqual(reloaded.current.turns.map(t => t.user), ['one', 'two']);
		assert.equal(reloaded.current.turns[1]!.error, "Bora's runtime stopped while answering.");
	});

	it('a new chat leaves the old one in the history, which can be reopened', async () => {
		const history = new ChatHistory(new MemoryStore(), newId);
		await history.putTurn(turn('old question'));
		const oldId = history.current.id;
		const fresh = await history.startNew();
		assert.notEqual(fresh.id, oldId);
		assert.deepEqual(history.current.turns, []);
		assert.equal((await history.open(oldId))?.turns[0]!.user, 'old question');
		assert.equal(await history.open('missing'), undefined);
	});

	it('replaces the streaming turn in place when it finishes', async () => {
		const history = new ChatHistory(new MemoryStore(), newId);
		await history.putTurn(turn('q', { answer: '' }));
		await history.putTurn(turn('q', { answer: 'done' }), { replaceLast: true });
		assert.deepEqual(history.current.turns.map(t => t.answer), ['done']);
	});

	it('sends the model the full messages and leaves out failed turns without an answer', () => {
		const chat = {
			id: 'c', title: 't', createdAt: 0, updatedAt: 0,
			turns: [turn('a', { thought: 'hmm' }), turn('b', { answer: '', error: 'failed' }), turn('c', { stopped: true, answer: 'partial' })],
		};
		assert.deepEqual(historyForModel(chat), [
			{ user: 'a\n(context)', assistant: 'answer to a', thought: 'hmm' },
			{ user: 'c\n(context)', assistant: 'partial' },
		]);
		assert.equal('message' in toChatView(chat).turns[0]!, false);
	});

	it('keeps a turn\'s notice through a reload and shows it, but never sends it to the model', async () => {
		const store = new MemoryStore();
		const notice = 'The model wrote no answer about this image; it may be blank or show too little to describe. Ask a more specific question, or try another image.';
		await new ChatHistory(store, newId).putTurn(turn('What is on it?', { answer: '', notice }));
		const reloaded = new ChatHistory(store, newId).current;
		assert.equal(reloaded.turns[0]?.notice, notice);
		assert.equal(toChatView(reloaded).turns[0]?.notice, notice);
		assert.deepEqual(historyForModel(reloaded), [{ user: 'What is on it?\n(context)', assistant: '' }]);
	});

	it('changes the chat in memory at once, before the save settles', async () => {
		const history = new ChatHistory(new MemoryStore(), newId);
		const saving = history.putTurn(turn('Now?'));
		assert.deepEqual(history.current.turns.map(t => t.user), ['Now?']);
		await saving;
	});
});
