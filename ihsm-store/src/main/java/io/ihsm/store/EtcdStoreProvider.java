package io.ihsm.store;

import io.ihsm.host.spi.FleetStoreProvider;
import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.StoreException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** {@code etcd://host:port[,host:port…]}: the cluster's client endpoints, over plain HTTP/2. */
public final class EtcdStoreProvider implements FleetStoreProvider {
  @Override
  public String scheme() {
    return "etcd";
  }

  @Override
  public FleetStore open(String address) {
    String rest = address.substring("etcd://".length());
    List<URI> endpoints = new ArrayList<>();
    for (String member : rest.split(",", -1)) {
      if (!member.matches("[A-Za-z0-9.-]{1,253}:[0-9]{1,5}")
          || Integer.parseInt(member.substring(member.lastIndexOf(':') + 1)) > 65535) {
        throw new StoreException(
            StoreException.Reason.INVALID,
            "an etcd address is etcd://host:port[,host:port…]; not a member: "
                + (member.length() > 60 ? member.substring(0, 60) + "…" : member));
      }
      endpoints.add(URI.create("http://" + member));
    }
    return EtcdFleetStore.connect(endpoints);
  }
}
