/** Command ids, as contributed in package.json. */
export namespace CommandIds {
	export const selectModel = 'bora.selectModel';
	export const restartRuntime = 'bora.restartRuntime';
	export const toggleCompletion = 'bora.toggleCompletion';
	export const showLog = 'bora.showLog';
	export const showStatus = 'bora.showStatus';
}
