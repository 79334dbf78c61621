import type { ActionProvider } from '../types.js';
import { downloadAction } from './download.js';

export { downloadAction, DOWNLOAD_SPEC, type DownloadResult } from './download.js';
export type { DownloadUndo } from './download-state.js';

/** The `net` provider: `net.download`. */
export const netProvider: ActionProvider = { name: 'net', actions: [downloadAction] };
