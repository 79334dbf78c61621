import { assertWritConfined } from '../plan/index.js';
import type { ReceiptStore } from '../receipts/index.js';
import { deploymentStepSpec, type UndoItem } from './deployments.js';

/**
 * Refuses to undo any item whose receipt node points outside the target (or layers) that
 * receipt recorded (`integrity`, exit 4, naming the receipt and node): a receipt with a valid
 * checksum can still be crafted, and undoing it would delete or restore files anywhere.
 * Checked before anything is read from or written to the target.
 */
export async function assertUndoConfined(store: ReceiptStore, items: readonly UndoItem[]): Promise<void> {
  const byStem = new Map<string, UndoItem[]>();
  for (const item of items) {
    const group = byStem.get(item.stem);
    if (group === undefined) byStem.set(item.stem, [item]);
    else group.push(item);
  }
  for (const [stem, stemItems] of byStem) {
    const { header } = await store.derive(stem, deploymentStepSpec());
    assertWritConfined(header, stemItems.map((item) => item.node), store.pathOf(stem));
  }
}
