package io.ihsm.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.StoreException;
import io.ihsm.host.store.StoreException.Reason;
import io.ihsm.store.testing.EtcdCluster;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on a real 3-member etcd cluster on loopback, plus what only a distributed store can
 * do to you.
 */
class EtcdFleetStoreTest extends FleetStoreContract {
  private static final AtomicInteger TESTS = new AtomicInteger();

  @TempDir static Path dir;
  static EtcdCluster cluster;
  String namespace;

  @BeforeAll
  static void startCluster() throws Exception {
    String why = EtcdCluster.unavailable();
    Assumptions.assumeTrue(why == null, why);
    cluster = EtcdCluster.start(dir, 3);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  @BeforeEach
  void open() {
    namespace =
        "/ihsm-test-" + TESTS.incrementAndGet() + "/"; // each test starts from an empty store
    super.open();
  }

  @Override
  FleetStore server() {
    return EtcdFleetStore.connect(cluster.endpoints(), namespace, Duration.ofSeconds(5));
  }

  @Test
  void anUnreachableClusterIsUnavailableWithAClearErrorAndNothingIsWritten() {
    try (FleetStore nowhere =
        EtcdFleetStore.connect(
            List.of(URI.create("http://127.0.0.1:9")), namespace, Duration.ofSeconds(1))) {
      assertThatThrownBy(() -> nowhere.create("keys/p1/k", b("v")))
          .isInstanceOfSatisfying(
              StoreException.class, x -> assertThat(x.reason()).isEqualTo(Reason.UNAVAILABLE))
          .hasMessageContaining("etcd [http://127.0.0.1:9]");
    }
    assertThat(store.get("keys/p1/k")).isEmpty();
  }

  /**
   * The leader is killed (SIGKILL) in the middle of a run of key creations: every create that was
   * acknowledged is there afterwards with its value, and one that was not is either whole or
   * absent. Runs last: the cluster keeps two members.
   */
  @Test
  void killingTheLeaderMidWriteLosesNoAcknowledgedKey() throws Exception {
    List<String> acknowledged = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    int leader = cluster.leader();
    for (int i = 0; i < 120; i++) {
      if (i == 40) {
        cluster.kill(leader);
      }
      String key = "keys/p1/k" + i;
      try {
        store.create(key, b("value " + i));
        acknowledged.add(key);
      } catch (StoreException e) {
        assertThat(e.reason()).as(e.getMessage()).isIn(Reason.UNAVAILABLE, Reason.EXISTS);
        unknown.add(key);
      }
    }
    assertThat(acknowledged).hasSizeGreaterThan(60);
    try (FleetStore after = server()) {
      for (String key : acknowledged) {
        assertThat(after.get(key))
            .as(key)
            .hasValueSatisfying(
                e ->
                    assertThat(e.value())
                        .isEqualTo(b("value " + key.substring("keys/p1/k".length()))));
      }
      for (String key : unknown) {
        after
            .get(key)
            .ifPresent(
                e ->
                    assertThat(e.value())
                        .as("whole or absent")
                        .isEqualTo(b("value " + key.substring("keys/p1/k".length()))));
      }
    }
  }
}
