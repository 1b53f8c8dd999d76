package io.ihsm.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.FleetStore.Change;
import io.ihsm.host.store.FleetStore.Entry;
import io.ihsm.host.store.StoreException;
import io.ihsm.host.store.StoreException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every fleet store does, run against each ({@link FileFleetStoreTest}, {@link
 * EtcdFleetStoreTest}). Each {@link #server()} is another server's view of the same records.
 */
abstract class FleetStoreContract {
  FleetStore store;

  /** A new connection to the same records, as another server of the fleet holds. */
  abstract FleetStore server();

  @BeforeEach
  void open() {
    store = server();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aCreatedRecordReadsBackWithItsRevisionAndASecondCreateIsRefused() {
    long r = store.create("keys/p1/signer", b("blob-1"));
    assertThat(r).isPositive();
    Entry e = store.get("keys/p1/signer").orElseThrow();
    assertThat(e.value()).isEqualTo(b("blob-1"));
    assertThat(e.revision()).isEqualTo(r);
    assertThatThrownBy(() -> store.create("keys/p1/signer", b("blob-2")))
        .isInstanceOfSatisfying(
            StoreException.class, x -> assertThat(x.reason()).isEqualTo(Reason.EXISTS))
        .hasMessageContaining("already has keys/p1/signer");
    assertThat(store.get("keys/p1/signer").orElseThrow().value()).isEqualTo(b("blob-1"));
    assertThat(store.get("keys/p1/nobody")).isEmpty();
  }

  @Test
  void anUpdateNeedsTheRevisionItReadAndAStaleOneChangesNothing() {
    long r1 = store.create("partitions/p1", b("v1"));
    long r2 = store.update("partitions/p1", r1, b("v2"));
    assertThat(r2).isGreaterThan(r1);
    assertThatThrownBy(() -> store.update("partitions/p1", r1, b("stale")))
        .isInstanceOfSatisfying(
            StoreException.class, x -> assertThat(x.reason()).isEqualTo(Reason.CONFLICT))
        .hasMessageContaining("changed since it was read");
    assertThat(store.get("partitions/p1").orElseThrow().value()).isEqualTo(b("v2"));
    assertThatThrownBy(() -> store.update("partitions/none", 1, b("x")))
        .isInstanceOfSatisfying(
            StoreException.class, x -> assertThat(x.reason()).isEqualTo(Reason.NOT_FOUND));
    assertThat(store.get("partitions/none")).isEmpty();
  }

  @Test
  void aDeleteNeedsTheRevisionItReadToo() {
    long r = store.create("keys/p1/old", b("blob"));
    long r2 = store.update("keys/p1/old", r, b("blob2"));
    assertThatThrownBy(() -> store.delete("keys/p1/old", r))
        .isInstanceOfSatisfying(
            StoreException.class, x -> assertThat(x.reason()).isEqualTo(Reason.CONFLICT));
    assertThat(store.get("keys/p1/old")).isPresent();
    store.delete("keys/p1/old", r2);
    assertThat(store.get("keys/p1/old")).isEmpty();
    assertThatThrownBy(() -> store.delete("keys/p1/old", r2))
        .isInstanceOfSatisfying(
            StoreException.class, x -> assertThat(x.reason()).isEqualTo(Reason.NOT_FOUND));
    assertThat(store.create("keys/p1/old", b("again")))
        .as("a deleted key can be made again")
        .isPositive();
  }

  @Test
  void listingTakesExactlyThePrefixInKeyOrder() {
    store.create("keys/p1/b", b("2"));
    store.create("keys/p1/a", b("1"));
    store.create("keys/p10/a", b("other partition"));
    store.create("keys/p2/a", b("3"));
    assertThat(store.list("keys/p1/"))
        .extracting(Entry::key)
        .containsExactly("keys/p1/a", "keys/p1/b");
    assertThat(store.list("keys/"))
        .extracting(Entry::key)
        .containsExactly("keys/p1/a", "keys/p1/b", "keys/p10/a", "keys/p2/a");
    assertThat(store.list("nothing/")).isEmpty();
  }

  @Test
  void twoServersCreatingOneLabelAtOnceGiveOneWinnerAndOneClearError() throws Exception {
    int servers = 4;
    for (int round = 0; round < 10; round++) {
      String key = "keys/p1/contended-" + round;
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(servers);
      List<Future<String>> outcomes = new ArrayList<>();
      List<FleetStore> views = new ArrayList<>();
      for (int s = 0; s < servers; s++) {
        FleetStore view = server();
        views.add(view);
        String value = "from server " + s;
        outcomes.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    view.create(key, b(value));
                    return "won:" + value;
                  } catch (StoreException e) {
                    return e.reason().name();
                  }
                }));
      }
      go.countDown();
      List<String> results = new ArrayList<>();
      for (Future<String> f : outcomes) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      pool.shutdown();
      views.forEach(FleetStore::close);
      assertThat(results.stream().filter(r -> r.startsWith("won:")))
          .as(results.toString())
          .hasSize(1);
      assertThat(results.stream().filter(r -> r.equals("EXISTS"))).hasSize(servers - 1);
      String winner =
          results.stream().filter(r -> r.startsWith("won:")).findFirst().orElseThrow().substring(4);
      assertThat(new String(store.get(key).orElseThrow().value(), StandardCharsets.UTF_8))
          .isEqualTo(winner);
    }
  }

  @Test
  void anotherServersChangesReachAWatcherInOrder() throws Exception {
    List<Change> seen = Collections.synchronizedList(new ArrayList<>());
    try (AutoCloseable w = store.watch("keys/p1/", seen::add);
        FleetStore other = server()) {
      long r = other.create("keys/p1/k", b("v1"));
      long r2 = other.update("keys/p1/k", r, b("v2"));
      other.create("keys/p2/elsewhere", b("not watched"));
      other.delete("keys/p1/k", r2);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (seen.stream().noneMatch(c -> c.kind() == Change.Kind.DELETE)
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    assertThat(seen).isNotEmpty().allMatch(c -> c.key().equals("keys/p1/k"));
    assertThat(seen.get(seen.size() - 1).kind()).isEqualTo(Change.Kind.DELETE);
    Change lastPut =
        seen.stream().filter(c -> c.kind() == Change.Kind.PUT).reduce((a, c) -> c).orElseThrow();
    assertThat(lastPut.value())
        .as("the watcher ends with the latest value before the delete")
        .isEqualTo(b("v2"));
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i).revision()).isGreaterThanOrEqualTo(seen.get(i - 1).revision());
    }
  }

  @Test
  void aKeyVersionsNameWithAHashIsAKey() {
    // The host key store files older versions of a key as LABEL#N.key (docs/key-lifecycle.md).
    long rev = store.create("host/partitions/app/keys/signer#1.key", b("v1"));
    assertThat(rev).isPositive();
    assertThat(store.get("host/partitions/app/keys/signer#1.key").orElseThrow().value())
        .isEqualTo(b("v1"));
    assertThat(store.list("host/partitions/app/keys/signer#"))
        .extracting(FleetStore.Entry::key)
        .containsExactly("host/partitions/app/keys/signer#1.key");
  }

  @Test
  void badKeysAndOversizedValuesAreRefusedAndChangeNothing() {
    for (String bad : new String[] {"", "with space", "../escape\u0000", "k".repeat(257), "é"}) {
      assertThatThrownBy(() -> store.create(bad, b("x")))
          .isInstanceOfSatisfying(
              StoreException.class, x -> assertThat(x.reason()).isEqualTo(Reason.INVALID));
    }
    assertThatThrownBy(() -> store.create("keys/big", new byte[FleetStore.MAX_VALUE + 1]))
        .isInstanceOfSatisfying(
            StoreException.class, x -> assertThat(x.reason()).isEqualTo(Reason.INVALID))
        .hasMessageContaining("at most 65536 bytes, got 65537");
    assertThatThrownBy(() -> store.list("bad prefix"))
        .isInstanceOfSatisfying(
            StoreException.class, x -> assertThat(x.reason()).isEqualTo(Reason.INVALID));
    assertThat(store.list("")).isEmpty();
    assertThat(store.create("keys/max", new byte[FleetStore.MAX_VALUE])).isPositive();
  }

  @Test
  void aClosedStoreRefusesEveryCall() {
    FleetStore s = server();
    s.close();
    assertThatThrownBy(() -> s.get("keys/x")).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> s.create("keys/x", b("v"))).isInstanceOf(StoreException.class);
    assertThat(store.get("keys/x")).isEmpty();
  }
}
