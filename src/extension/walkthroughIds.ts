/** The walkthrough contributed in package.json, as `workbench.action.openWalkthrough` names it (`publisher.name#id`). */
export const walkthroughId = 'bora.bora#bora.gettingStarted';

/** Context keys the walkthrough's steps complete on (`onContext:` completion events in package.json). */
export namespace WalkthroughContextKeys {
	/** A model is loaded and answering: "Pick or download a model" is done. */
	export const modelReady = 'bora.modelReady';
	/** Bora showed a suggestion in this window: "Try completion" is done. */
	export const completionShown = 'bora.completionShown';
}
