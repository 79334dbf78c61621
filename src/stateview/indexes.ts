import { registerReceiptIndex } from '../receipts/index.js';
import { compactDigestSpec } from './compact.js';
import { placementStepSpec } from './deployments.js';
import { receiptRowSpec } from './digest.js';

/*
 * What `ReceiptStore.write` caches for every receipt it writes: the row `receipts view` lists,
 * the digest StateView folds, and (for writ) the placement step writ's deployed-state fold reads on every apply. Our own
 * receipts are then never read cold; only foreign ones or a deleted cache are.
 */
registerReceiptIndex((stem) => receiptRowSpec(stem));
registerReceiptIndex((stem) => compactDigestSpec(stem));
registerReceiptIndex((_stem, tool) => (tool === 'writ' ? placementStepSpec() : undefined));
