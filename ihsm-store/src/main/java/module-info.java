/** The fleet store across servers: etcd, provided to {@code io.ihsm.host.store.FleetStores}. */
module io.ihsm.store {
  requires io.ihsm.host;
  requires jetcd.core;

  exports io.ihsm.store;

  provides io.ihsm.host.spi.FleetStoreProvider with
      io.ihsm.store.EtcdStoreProvider;
}
