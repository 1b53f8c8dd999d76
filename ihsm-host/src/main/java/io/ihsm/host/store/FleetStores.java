package io.ihsm.host.store;

import io.ihsm.host.spi.FleetStoreProvider;
import io.ihsm.host.store.StoreException.Reason;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * Opens a fleet store from its address: {@code file:/path} (a {@link FileFleetStore}) or the scheme
 * of a {@link FleetStoreProvider} on the class path ({@code etcd://host:port[,host:port…]} with
 * {@code ihsm-store}).
 */
public final class FleetStores {
  private FleetStores() {}

  public static FleetStore open(String address) {
    if (address == null || address.isBlank() || address.length() > 2048) {
      throw new StoreException(Reason.INVALID, "a store address is file:/path or etcd://host:port");
    }
    if (address.startsWith("file:")) {
      String path = address.substring("file:".length());
      if (!path.startsWith("/")) {
        throw new StoreException(Reason.INVALID, "a file store's address is file:/absolute/path");
      }
      return FileFleetStore.open(Path.of(path));
    }
    int colon = address.indexOf("://");
    String scheme = colon > 0 ? address.substring(0, colon) : "";
    for (FleetStoreProvider p : ServiceLoader.load(FleetStoreProvider.class)) {
      if (p.scheme().equals(scheme)) {
        return p.open(address);
      }
    }
    throw new StoreException(
        Reason.INVALID,
        scheme.isEmpty()
            ? "a store address is file:/path or etcd://host:port, got " + shown(address)
            : "no store for " + scheme + ":// on the class path (etcd needs ihsm-store)");
  }

  private static String shown(String address) {
    return address.length() > 60 ? address.substring(0, 60) + "…" : address;
  }
}
