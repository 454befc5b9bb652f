// The exported names of a Windows DLL, read from its PE export table, written as a module-definition
// (.def) file that lib.exe turns into an import library. Used by scripts/build-vision.mjs when
// node-llama-cpp's Windows packages ship a DLL without its .lib. Plain file parsing: runs anywhere.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * The names a PE image (DLL) exports, in the order of its name table.
 * @param {Buffer} image
 * @returns {string[]}
 */
export function exportedNames(image) {
	const pe = image.readUInt32LE(0x3c);
	if (image.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('not a PE image');
	const sections = image.readUInt16LE(pe + 6);
	const optionalSize = image.readUInt16LE(pe + 20);
	const optional = pe + 24;
	const magic = image.readUInt16LE(optional);
	// The export table is data directory 0: at 96 (PE32) or 112 (PE32+) into the optional header.
	const directory = optional + (magic === 0x20b ? 112 : 96);
	const exportRva = image.readUInt32LE(directory);
	if (exportRva === 0) return [];
	const sectionTable = optional + optionalSize;
	const offsetOf = (rva) => {
		for (let i = 0; i < sections; i++) {
			const at = sectionTable + i * 40;
			const virtualSize = image.readUInt32LE(at + 8);
			const virtualAddress = image.readUInt32LE(at + 12);
			const rawSize = image.readUInt32LE(at + 16);
			const rawPointer = image.readUInt32LE(at + 20);
			if (rva >= virtualAddress && rva < virtualAddress + Math.max(virtualSize, rawSize)) return rva - virtualAddress + rawPointer;
		}
		throw new Error(`RVA 0x${rva.toString(16)} is in no section`);
	};
	const table = offsetOf(exportRva);
	const count = image.readUInt32LE(table + 24);
	const namesAt = offsetOf(image.readUInt32LE(table + 32));
	const names = [];
	for (let i = 0; i < count; i++) {
		const start = offsetOf(image.readUInt32LE(namesAt + i * 4));
		const end = image.indexOf(0, start);
		names.push(image.toString('latin1', start, end));
	}
	return names;
}

/**
 * Writes `defPath`: `LIBRARY <dll>` and its exports, for `lib /def:<defPath> /out:<lib>`.
 * @param {string} dllPath
 * @param {string} defPath
 */
export function writeImportDefinition(dllPath, defPath) {
	const names = exportedNames(readFileSync(dllPath));
	if (names.length === 0) throw new Error(`${dllPath} exports nothing`);
	writeFileSync(defPath, `LIBRARY ${basename(dllPath)}\nEXPORTS\n${names.map(name => `    ${name}`).join('\n')}\n`);
}
