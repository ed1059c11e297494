// Bindings in scope along an element's ancestors: namespace prefixes while parsing (Namespaces in
// XML 1.0 §6.1: a declaration applies to its element and everything inside it), generated
// attribute prefixes while serializing. A chain of each declaring element's own bindings, never a
// copy of everything in scope: copying made a body with D declarations on the root and S declaring
// children cost D×S — a 967 KB PROPFIND (30,000 × 26,000) held the event loop for 284 s and a
// 169 KB one for 7 s (attack report of 2026-12-07). A lookup walks at most one link per declaring
// ancestor, so at most the parser's depth limit (64).

export class ScopeChain<K, V> {
  private constructor(
    private readonly own: ReadonlyMap<K, V>,
    private readonly parent: ScopeChain<K, V> | null,
  ) {}

  /** The outermost scope, with its initial bindings. */
  static root<K, V>(bindings: Iterable<readonly [K, V]>): ScopeChain<K, V> {
    return new ScopeChain(new Map(bindings), null);
  }

  /** The nearest binding of key, or undefined. */
  get(key: K): V | undefined {
    for (let s: ScopeChain<K, V> | null = this; s !== null; s = s.parent) {
      const v = s.own.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** A scope inside this one with these bindings over it (the map is kept, not copied). */
  inner(bindings: ReadonlyMap<K, V>): ScopeChain<K, V> {
    return bindings.size === 0 ? this : new ScopeChain(bindings, this);
  }
}
