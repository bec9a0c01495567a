/**
 * A character radix tree with per-tenant LRU lists and character counts, with the semantics of
 * Ray Serve's `PrefixTree` (routers.md §1.4). Tenants are workers. Every node keeps, per tenant
 * that holds it, the last access time and its neighbours in that tenant's doubly linked LRU list;
 * the root is always the head of every list, so the tail is the least recently used node.
 *
 * Invariants (as Ray): an insert touches every node on its path with the same timestamp, so a
 * parent's time is ≥ each child's for a tenant and the nodes of one insert sit together in the
 * list, deepest nearest the head; evicting from the tail therefore never orphans a live
 * descendant. `tenantToCharCount[t]` = Σ text length of the nodes holding `t`, in UTF-16 code
 * units (Ray counts Python code points; equal for the BMP).
 *
 * Timestamps come from the caller; the tree never reads a clock. Only the optional eviction loop
 * is scheduled, on the {@linkcode Clock} given to the constructor.
 * @module
 */
import type { Clock, Timer } from "../core/clock.ts";
import { invariant } from "../core/invariant.ts";

interface TenantLink {
  timeS: number;
  /** Neighbour towards the head (more recent); null only for the root. */
  newer: TreeNode | null;
  /** Neighbour towards the tail (less recent); null for the tail. */
  older: TreeNode | null;
}

class TreeNode {
  text: string;
  parent: TreeNode | null;
  children: Map<number, TreeNode> | null = null;
  readonly links = new Map<string, TenantLink>();

  constructor(text: string, parent: TreeNode | null) {
    this.text = text;
    this.parent = parent;
  }
}

/** Result of {@linkcode PrefixTree.prefixMatch}. */
export interface PrefixMatch {
  /** The longest prefix of the text found in the tree (may end inside an edge). */
  matchedText: string;
  /** The available tenants holding the deepest node reached; null when none. */
  tenants: string[] | null;
}

/** Options for {@linkcode PrefixTree}. */
export interface PrefixTreeOptions {
  /** Schedules the eviction loop (only needed for {@linkcode PrefixTree.startEvictionLoop}). */
  clock?: Clock;
}

/** Ray Serve's PrefixTree: a character radix tree shared by tenants, with per-tenant LRU eviction. */
export class PrefixTree {
  /** Characters held per live tenant (its keys are the live tenants). */
  readonly tenantToCharCount = new Map<string, number>();
  readonly #root = new TreeNode("", null);
  readonly #tails = new Map<string, TreeNode>();
  readonly #clock: Clock | undefined;
  #evictionTimer: Timer | undefined;

  constructor(options: PrefixTreeOptions = {}) {
    this.#clock = options.clock;
  }

  /** Adds tenants (existing ones are left as they are); each starts with the root stamped `timeS`. */
  addTenants(tenants: readonly string[], timeS: number): void {
    for (const tenant of tenants) {
      if (this.tenantToCharCount.has(tenant)) continue;
      this.tenantToCharCount.set(tenant, 0);
      this.#tails.set(tenant, this.#root);
      this.#root.links.set(tenant, { timeS, newer: null, older: null });
      this.insert("", tenant, timeS);
    }
  }

  /**
   * Records that `tenant` holds `text`: every node on the path gets `timeS` and moves to the front
   * of the tenant's LRU list; an unmatched remainder becomes a new leaf; a partial edge match
   * splits the edge. No-op for an unknown tenant.
   */
  insert(text: string, tenant: string, timeS: number): void {
    let count = this.tenantToCharCount.get(tenant);
    if (count === undefined) return;
    const root = this.#root;
    let node = root;
    let index = 0;
    for (;;) {
      let link = node.links.get(tenant);
      if (link === undefined) {
        link = { timeS, newer: null, older: null };
        node.links.set(tenant, link);
        count += node.text.length;
      }
      link.timeS = timeS;
      if (node !== root) this.#moveToFront(node, link, tenant);
      if (index === text.length) break;
      const code = text.charCodeAt(index);
      node.children ??= new Map();
      const child = node.children.get(code);
      if (child === undefined) {
        const leaf = new TreeNode(text.slice(index), node);
        node.children.set(code, leaf);
        node = leaf;
        index = text.length;
        continue;
      }
      const shared = sharedLength(child.text, text, index);
      node = shared < child.text.length ? this.#split(node, child, shared) : child;
      index += shared;
    }
    this.tenantToCharCount.set(tenant, count);
  }

  /**
   * The longest prefix of `text` held by any of `availableTenants` (all tenants when absent or
   * empty; unknown ones are ignored), and which of them hold the deepest node reached. Does not
   * touch timestamps.
   */
  prefixMatch(text: string, availableTenants?: readonly string[]): PrefixMatch {
    const { node, index, available } = this.#walk(text, availableTenants);
    if (node === undefined) return { matchedText: "", tenants: null };
    const tenants = available.filter((tenant) => node.links.has(tenant));
    return { matchedText: text.slice(0, index), tenants: tenants.length > 0 ? tenants : null };
  }

  /**
   * Like {@linkcode prefixMatch} but returns the single tenant that touched the deepest node most
   * recently (SGLang's `last_tenant`; ties: the first available), for the cache_aware strategy.
   */
  prefixMatchMostRecent(
    text: string,
    availableTenants?: readonly string[],
  ): { matchedText: string; tenant: string | null } {
    const { node, index, available } = this.#walk(text, availableTenants);
    if (node === undefined) return { matchedText: "", tenant: null };
    let best: string | null = null;
    let bestTimeS = -Infinity;
    for (const tenant of available) {
      const link = node.links.get(tenant);
      if (link !== undefined && link.timeS > bestTimeS) {
        best = tenant;
        bestTimeS = link.timeS;
      }
    }
    return { matchedText: text.slice(0, index), tenant: best };
  }

  /** Removes tenants from every node (pruning emptied nodes); characters removed per tenant (0 if unknown). */
  removeTenants(tenants: readonly string[]): Map<string, number> {
    const removed = new Map<string, number>();
    for (const tenant of tenants) {
      let total = 0;
      let node: TreeNode | null | undefined = this.tenantToCharCount.has(tenant)
        ? this.#tails.get(tenant)
        : undefined;
      while (node) {
        const next: TreeNode | null = node.links.get(tenant)?.newer ?? null;
        total += this.#removeTenantFromNode(tenant, node);
        node = next;
      }
      this.tenantToCharCount.delete(tenant);
      this.#tails.delete(tenant);
      removed.set(tenant, total);
    }
    return removed;
  }

  /**
   * Removes at least `minRemoveSize` characters of `tenant` (clamped to what it holds) from the
   * least recent end of its list. Each step removes every node sharing the oldest timestamp, so it
   * may remove more than asked. Never removes the root. Returns the characters removed.
   */
  evictTenantByLru(tenant: string, minRemoveSize: number): number {
    const count = this.tenantToCharCount.get(tenant);
    if (count === undefined) return 0;
    const target = Math.min(minRemoveSize, count);
    const root = this.#root;
    let removed = 0;
    while (removed < target) {
      let tail = this.#tails.get(tenant)!;
      if (tail === root) break;
      const oldestS = tail.links.get(tenant)!.timeS;
      while (tail !== root && tail.links.get(tenant)!.timeS === oldestS) {
        removed += this.#removeTenantFromNode(tenant, tail);
        tail = this.#tails.get(tenant)!;
      }
    }
    return removed;
  }

  /** Tenants with the fewest characters (all ties), among `availableTenants` when given; null if none. */
  getSmallestTenants(availableTenants?: readonly string[]): string[] | null {
    const candidates = availableTenants === undefined
      ? [...this.tenantToCharCount.keys()]
      : availableTenants.filter((tenant) => this.tenantToCharCount.has(tenant));
    if (candidates.length === 0) return null;
    let min = Infinity;
    for (const tenant of candidates) min = Math.min(min, this.tenantToCharCount.get(tenant)!);
    return candidates.filter((tenant) => this.tenantToCharCount.get(tenant) === min);
  }

  /** Node texts of `tenant`'s LRU list from the root "" through most to least recent; [] if unknown. */
  lruChain(tenant: string): string[] {
    if (!this.tenantToCharCount.has(tenant)) return [];
    const texts: string[] = [];
    let node: TreeNode | null = this.#root;
    while (node !== null) {
      texts.push(node.text);
      node = node.links.get(tenant)!.older;
    }
    return texts;
  }

  /**
   * Every `intervalS`, evicts each tenant above `thresholdChars` down to `targetChars`. Returns
   * false if a loop is already running. Needs the constructor's `clock`.
   */
  startEvictionLoop(thresholdChars: number, targetChars: number, intervalS: number): boolean {
    const clock = this.#clock;
    if (clock === undefined) {
      throw new TypeError("Cannot start the eviction loop: the PrefixTree has no clock");
    }
    if (!(intervalS > 0)) {
      throw new RangeError(`Eviction interval must be positive: current value is ${intervalS}`);
    }
    if (this.#evictionTimer !== undefined) return false;
    const tick = (): void => {
      for (const [tenant, count] of this.tenantToCharCount) {
        if (count > thresholdChars) this.evictTenantByLru(tenant, count - targetChars);
      }
      this.#evictionTimer = clock.setTimer(clock.nowMs() + intervalS * 1000, tick);
    };
    this.#evictionTimer = clock.setTimer(clock.nowMs() + intervalS * 1000, tick);
    return true;
  }

  /** Stops the eviction loop (no-op when none runs). */
  stopEvictionLoop(): void {
    this.#evictionTimer?.cancel();
    this.#evictionTimer = undefined;
  }

  #walk(
    text: string,
    availableTenants: readonly string[] | undefined,
  ): { node: TreeNode | undefined; index: number; available: string[] } {
    let available: string[];
    if (availableTenants !== undefined && availableTenants.length > 0) {
      available = availableTenants.filter((tenant) => this.tenantToCharCount.has(tenant));
      if (available.length === 0) return { node: undefined, index: 0, available };
    } else {
      available = [...this.tenantToCharCount.keys()];
    }
    let node = this.#root;
    let index = 0;
    while (index < text.length) {
      const child = node.children?.get(text.charCodeAt(index));
      if (child === undefined || !holdsAny(child, available)) break;
      const shared = sharedLength(child.text, text, index);
      index += shared;
      node = child;
      if (shared < child.text.length) break;
    }
    return { node, index, available };
  }

  /** Splits `child` (under `parent`) after `shared` characters; returns the new middle node. */
  #split(parent: TreeNode, child: TreeNode, shared: number): TreeNode {
    const middle = new TreeNode(child.text.slice(0, shared), parent);
    // The middle node takes the child's place in every list, just newer than the child.
    for (const [tenant, childLink] of child.links) {
      const newer = childLink.newer;
      invariant(newer !== null, "a non-root node always has a newer neighbour");
      middle.links.set(tenant, { timeS: childLink.timeS, newer, older: child });
      newer.links.get(tenant)!.older = middle;
      childLink.newer = middle;
    }
    child.text = child.text.slice(shared);
    child.parent = middle;
    middle.children = new Map([[child.text.charCodeAt(0), child]]);
    parent.children!.set(middle.text.charCodeAt(0), middle);
    return middle;
  }

  #moveToFront(node: TreeNode, link: TenantLink, tenant: string): void {
    const rootLink = this.#root.links.get(tenant)!;
    if (rootLink.older === node) return;
    if (link.newer !== null) this.#unlink(node, link, tenant);
    const first = rootLink.older;
    link.newer = this.#root;
    link.older = first;
    rootLink.older = node;
    if (first === null) this.#tails.set(tenant, node);
    else first.links.get(tenant)!.newer = node;
  }

  #unlink(node: TreeNode, link: TenantLink, tenant: string): void {
    if (link.older !== null) link.older.links.get(tenant)!.newer = link.newer;
    if (link.newer !== null) link.newer.links.get(tenant)!.older = link.older;
    if (this.#tails.get(tenant) === node) this.#tails.set(tenant, link.newer!);
    link.newer = null;
    link.older = null;
  }

  #removeTenantFromNode(tenant: string, node: TreeNode): number {
    const link = node.links.get(tenant);
    const count = this.tenantToCharCount.get(tenant);
    if (link === undefined || count === undefined) return 0;
    this.tenantToCharCount.set(tenant, count - node.text.length);
    this.#unlink(node, link, tenant);
    node.links.delete(tenant);
    if (node.links.size === 0 && node.parent !== null) node.parent.children?.delete(node.text.charCodeAt(0));
    return node.text.length;
  }
}

function holdsAny(node: TreeNode, tenants: readonly string[]): boolean {
  for (const tenant of tenants) if (node.links.has(tenant)) return true;
  return false;
}

/**
 * Length of the common prefix of `edge` and `text.slice(start)`. Substring equality (a memcmp in
 * V8) is ~10x faster than `startsWith` or a charCodeAt loop on long texts, so whole-edge matches
 * are one comparison and partial matches a binary search over prefix lengths.
 */
function sharedLength(edge: string, text: string, start: number): number {
  const limit = Math.min(edge.length, text.length - start);
  if (limit === edge.length && text.slice(start, start + limit) === edge) return limit;
  let low = 0;
  while (low < limit && low < 16 && edge.charCodeAt(low) === text.charCodeAt(start + low)) low++;
  if (low < 16 || low === limit) return low;
  let high = limit; // edge[0, low) matches; the answer is in [low, high)
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (text.slice(start, start + mid) === edge.slice(0, mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}
