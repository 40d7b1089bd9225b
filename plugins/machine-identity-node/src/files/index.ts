export { findFiles } from './findFiles';
export type { FindFilesOptions, FindFilesResult, FoundFile } from './findFiles';
export { readFileBounded } from './readFileBounded';
export type { BoundedFile, ReadFileBoundedOptions } from './readFileBounded';
