import type { TenantRecordKind, TenantStore } from './tenant-store.js';

/**
 * A Map of one kind of tenant record that writes through to the store: `set`, `delete` and `clear` change the
 * file too, so callers keep using it as the Map it was. A value changed in place is saved by `set`-ting it again.
 *
 * @example
 *   const listeners = new PersistentMap<Listener>(store, 'listener');
 *   listeners.set(listener.id, listener); // kept across restarts
 */
export class PersistentMap<T> extends Map<string, T> {
  readonly #store: TenantStore;
  readonly #kind: TenantRecordKind;

  constructor(store: TenantStore, kind: TenantRecordKind) {
    super();
    this.#store = store;
    this.#kind = kind;
    for (const [id, value] of store.entries<T>(kind)) super.set(id, value);
  }

  override set(id: string, value: T): this {
    this.#store.put(this.#kind, id, value);
    return super.set(id, value);
  }

  override delete(id: string): boolean {
    this.#store.remove(this.#kind, id);
    return super.delete(id);
  }

  override clear(): void {
    this.#store.clear(this.#kind);
    super.clear();
  }
}
