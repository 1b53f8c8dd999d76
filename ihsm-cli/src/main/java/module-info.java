/** The `ihsm` command. */
module io.ihsm.cli {
  requires io.ihsm.sdk;
  requires io.ihsm.device;
  requires io.ihsm.verify;
  requires io.ihsm.store; // etcd, for `ihsm domain` (found through FleetStores)
  requires io.ihsm.jca;
  requires io.ihsm.pkcs11;
  requires io.ihsm.kms;
  requires io.ihsm.kmip;
  requires io.ihsm.bench;
  requires info.picocli;
  requires io.prometheus.metrics.core;
  requires io.prometheus.metrics.model;
  requires io.prometheus.metrics.exporter.httpserver;
  requires jdk.httpserver;
  requires com.fasterxml.jackson.databind;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires jdk.unsupported; // sun.misc.Signal: the daemon shuts down cleanly on SIGTERM

  // picocli reads and fills the commands by reflection.
  opens io.ihsm.cli to
      info.picocli;
}
