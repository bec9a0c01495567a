/**
 * Chained hashes of full token blocks, shared by the engine's prefix cache and the KV-aware router
 * so both name a block the same way (as vLLM and Dynamo chain block hashes). Block i's hash covers
 * its own tokens and block i-1's hash, so equal hashes mean equal prefixes. A trailing partial
 * block gets no hash. Hashes are 53-bit integers (safe as JS numbers and Map keys).
 * @module
 */

/** The parent hash of the first block. */
export const ROOT_BLOCK_HASH = 0;

/** Hash of one block given its parent's hash and its tokens `ids[start, start + blockSize)`. */
export function hashBlock(
  parentHash: number,
  ids: ArrayLike<number>,
  start: number,
  blockSize: number,
): number {
  let low = (parentHash >>> 0) ^ 0x9e3779b9;
  let high = Math.floor(parentHash / 4294967296) ^ 0x85ebca6b;
  for (let i = start; i < start + blockSize; i++) {
    const id = ids[i]!;
    low = Math.imul(low ^ id, 0x01000193);
    low ^= low >>> 15;
    high = Math.imul(high ^ (id + i - start), 0x5bd1e995);
    high ^= high >>> 13;
  }
  low = Math.imul(low ^ (low >>> 16), 0x85ebca6b);
  high = Math.imul(high ^ (high >>> 16), 0xc2b2ae35) ^ low;
  return (high & 0x1fffff) * 4294967296 + (low >>> 0);
}

/** Hashes of every full block of `ids`, chained from {@linkcode ROOT_BLOCK_HASH}. */
export function blockHashes(ids: ArrayLike<number>, blockSize: number): number[] {
  if (!Number.isInteger(blockSize) || blockSize <= 0) {
    throw new RangeError(
      `Cannot hash blocks: 'blockSize' must be a positive integer: current value is ${blockSize}`,
    );
  }
  const hashes: number[] = [];
  let parent = ROOT_BLOCK_HASH;
  for (let start = 0; start + blockSize <= ids.length; start += blockSize) {
    parent = hashBlock(parent, ids, start, blockSize);
    hashes.push(parent);
  }
  return hashes;
}
