/** Models view and command ids, as contributed in package.json. */
export namespace ModelsCommandIds {
	export const view = 'bora.models';
	export const refresh = 'bora.models.refresh';
	export const download = 'bora.models.download';
	export const checkFit = 'bora.models.checkFit';
	export const use = 'bora.models.use';
	export const useForChat = 'bora.models.useForChat';
	export const remove = 'bora.models.delete';
	export const pickLocal = 'bora.models.pickLocal';
	export const show = 'bora.models.show';
}
