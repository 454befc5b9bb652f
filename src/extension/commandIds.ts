/** Command ids, as contributed in package.json. */
export namespace CommandIds {
	export const selectModel = 'bora.selectModel';
	export const restartRuntime = 'bora.restartRuntime';
	export const toggleCompletion = 'bora.toggleCompletion';
	export const showLog = 'bora.showLog';
	export const showStatus = 'bora.showStatus';
	/** "Set Remote API Key…": the key goes to SecretStorage, never to settings. */
	export const setRemoteApiKey = 'bora.setRemoteApiKey';
	/** "Test Remote Engine": tries every role against `bora.remote.url`. */
	export const testRemoteEngine = 'bora.testRemoteEngine';
	/** Opens the "Get Started with Bora" walkthrough. */
	export const openWalkthrough = 'bora.openWalkthrough';
}

/** Chat and reasoning-effort command ids, as contributed in package.json. */
export namespace ChatCommandIds {
	export const openChat = 'bora.openChat';
	export const newChat = 'bora.newChat';
	export const showChatHistory = 'bora.showChatHistory';
	export const setReasoningEffort = 'bora.setReasoningEffort';
	/** "Explain Screenshot…": a picked image file, or the explorer item it runs on. */
	export const explainScreenshot = 'bora.explainScreenshot';
	/** "Explain Image from Clipboard": the panel reads the clipboard, or says to paste. */
	export const explainClipboardImage = 'bora.explainClipboardImage';
	/** The editor's context menu: the selection goes into the chat with "Explain this code.". */
	export const explainSelection = 'bora.explainSelection';
	/** The editor's context menu: the selection goes into the chat with the user's question. */
	export const askAboutSelection = 'bora.askAboutSelection';
}
