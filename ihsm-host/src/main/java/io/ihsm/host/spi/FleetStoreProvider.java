package io.ihsm.host.spi;

import io.ihsm.host.store.FleetStore;

/**
 * Opens a fleet store of one kind, named by the scheme of its address ({@code etcd://…}); found
 * with {@link java.util.ServiceLoader}, so a host module names a store without depending on the
 * library that reaches it. {@code ihsm-store} provides etcd.
 */
public interface FleetStoreProvider {
  /** The address scheme this provider opens, e.g. {@code etcd}. */
  String scheme();

  /**
   * @param address the whole address, e.g. {@code etcd://127.0.0.1:2379,127.0.0.1:22379}
   * @throws io.ihsm.host.store.StoreException INVALID for an address it cannot read
   */
  FleetStore open(String address);
}
