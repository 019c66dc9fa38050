// Proxies over an SDK's objects: the client and the resources whose calls headroom intercepts.
// Every other member is the object's own. The SDKs' helpers (parse, stream, runTools, toolRunner)
// build their requests through `this.create` or through `this._client`, the raw client the
// resource was made with; a wrapped resource answers `_client` with the wrapped client, so those
// requests come back through the wrapper too.

/**
 * A Proxy over `target`: the members named in `overrides` are built once, on first use; every
 * other method is bound to the target (clients keep #private fields) or, with `bindToProxy`, to the
 * proxy (so a resource's helpers that call `this.create` reach the wrapped `create`).
 */
export function intercept<T extends object>(target: T, overrides: Record<string, () => unknown>, bindToProxy = false): T {
  const built = new Map<string, unknown>();
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (typeof prop === 'string' && Object.hasOwn(overrides, prop)) {
        if (!built.has(prop)) built.set(prop, overrides[prop]!());
        return built.get(prop);
      }
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(bindToProxy ? receiver : t) : value;
    },
  });
}

/** A resource's overrides plus `_client`: the wrapped client, for the helpers that go through it. */
export function resource<T extends object>(target: T, overrides: Record<string, () => unknown>, wrappedClient: () => object): T {
  return intercept(target, { ...overrides, _client: wrappedClient }, true);
}
