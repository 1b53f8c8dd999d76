package io.ihsm.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.ihsm.host.store.FleetStore;
import io.ihsm.host.store.StoreException;
import io.ihsm.host.store.StoreException.Reason;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The fleet store across servers: an etcd cluster, every call a linearizable read or a transaction.
 * A create is a transaction on the key's create revision being 0, an update or delete one on its
 * modification revision being the caller's; etcd's revision is the records' revision. Keys live
 * under a namespace ({@code /ihsm/} by default), so a cluster may hold other things too.
 */
public final class EtcdFleetStore implements FleetStore {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final Client client;
  private final KV kv;
  private final String namespace;
  private final Duration timeout;
  private final String where;
  private volatile boolean closed;

  private EtcdFleetStore(Client client, String namespace, Duration timeout, String where) {
    this.client = client;
    this.kv = client.getKVClient();
    this.namespace = namespace;
    this.timeout = timeout;
    this.where = where;
  }

  /**
   * Connects to the cluster's members ({@code http://host:port}); nothing is sent until the first
   * call.
   */
  public static EtcdFleetStore connect(List<URI> endpoints, String namespace, Duration timeout) {
    if (endpoints.isEmpty()) {
      throw new StoreException(Reason.INVALID, "an etcd store needs at least one endpoint");
    }
    if (!namespace.matches("/[A-Za-z0-9._/-]*/")) {
      throw new StoreException(
          Reason.INVALID, "a namespace starts and ends with '/', got " + namespace);
    }
    Client client =
        Client.builder()
            .endpoints(endpoints.toArray(URI[]::new))
            .connectTimeout(timeout)
            .retryMaxDuration(timeout)
            .build();
    return new EtcdFleetStore(client, namespace, timeout, "etcd " + endpoints);
  }

  public static EtcdFleetStore connect(List<URI> endpoints) {
    return connect(endpoints, "/ihsm/", DEFAULT_TIMEOUT);
  }

  @Override
  public long create(String key, byte[] value) {
    FleetStore.checkKey(key);
    FleetStore.checkValue(value);
    ByteSequence k = bytes(key);
    TxnResponse r =
        await(
            kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT))
                .commit(),
            "create " + key);
    if (!r.isSucceeded()) {
      throw new StoreException(Reason.EXISTS, "the store already has " + key);
    }
    return r.getHeader().getRevision();
  }

  @Override
  public long update(String key, long expectedRevision, byte[] value) {
    FleetStore.checkKey(key);
    FleetStore.checkValue(value);
    ByteSequence k = bytes(key);
    TxnResponse r =
        await(
            kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedRevision)))
                .Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(),
            "update " + key);
    if (!r.isSucceeded()) {
      throw refused(key, expectedRevision, r);
    }
    return r.getHeader().getRevision();
  }

  @Override
  public Optional<Entry> get(String key) {
    FleetStore.checkKey(key);
    GetResponse r = await(kv.get(bytes(key)), "read " + key);
    return r.getKvs().stream().findFirst().map(this::entry);
  }

  @Override
  public List<Entry> list(String prefix) {
    FleetStore.checkPrefix(prefix);
    GetResponse r =
        await(
            kv.get(
                bytes(prefix),
                GetOption.builder()
                    .isPrefix(true)
                    .withSortField(GetOption.SortTarget.KEY)
                    .withSortOrder(GetOption.SortOrder.ASCEND)
                    .build()),
            "list " + prefix);
    List<Entry> out = new ArrayList<>();
    r.getKvs().forEach(kvs -> out.add(entry(kvs)));
    return out;
  }

  @Override
  public void delete(String key, long expectedRevision) {
    FleetStore.checkKey(key);
    ByteSequence k = bytes(key);
    TxnResponse r =
        await(
            kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedRevision)))
                .Then(Op.delete(k, DeleteOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(),
            "delete " + key);
    if (!r.isSucceeded()) {
      throw refused(key, expectedRevision, r);
    }
  }

  @Override
  public AutoCloseable watch(String prefix, Consumer<Change> listener) {
    FleetStore.checkPrefix(prefix);
    requireOpen();
    // From the revision a read sees now: no change between "now" and the watch's start is missed.
    long from =
        await(
                kv.get(bytes(prefix), GetOption.builder().isPrefix(true).withLimit(1).build()),
                "watch " + prefix)
            .getHeader()
            .getRevision();
    Watch.Watcher w =
        client
            .getWatchClient()
            .watch(
                bytes(prefix),
                WatchOption.builder().isPrefix(true).withRevision(from + 1).build(),
                response -> {
                  for (WatchEvent e : response.getEvents()) {
                    KeyValue kvs = e.getKeyValue();
                    boolean put = e.getEventType() == WatchEvent.EventType.PUT;
                    listener.accept(
                        new Change(
                            put ? Change.Kind.PUT : Change.Kind.DELETE,
                            keyOf(kvs.getKey()),
                            put ? kvs.getValue().getBytes() : new byte[0],
                            kvs.getModRevision()));
                  }
                });
    return w::close;
  }

  @Override
  public void close() {
    closed = true;
    client.close();
  }

  private StoreException refused(String key, long expectedRevision, TxnResponse r) {
    List<KeyValue> now =
        r.getGetResponses().isEmpty() ? List.of() : r.getGetResponses().get(0).getKvs();
    if (now.isEmpty()) {
      return new StoreException(Reason.NOT_FOUND, "the store has no " + key);
    }
    return new StoreException(
        Reason.CONFLICT,
        key
            + " is at revision "
            + now.get(0).getModRevision()
            + ", not "
            + expectedRevision
            + ": it changed since it was read");
  }

  private Entry entry(KeyValue kvs) {
    return new Entry(keyOf(kvs.getKey()), kvs.getValue().getBytes(), kvs.getModRevision());
  }

  private ByteSequence bytes(String key) {
    return ByteSequence.from(namespace + key, StandardCharsets.US_ASCII);
  }

  private String keyOf(ByteSequence k) {
    return k.toString(StandardCharsets.US_ASCII).substring(namespace.length());
  }

  private void requireOpen() {
    if (closed) {
      throw new StoreException(Reason.INVALID, "the store is closed");
    }
  }

  /**
   * The call's answer within the timeout; an unreachable cluster is {@code UNAVAILABLE}. A
   * transaction that timed out may still have been applied: callers read before they retry, which
   * the conditional writes make safe.
   */
  private <T> T await(CompletableFuture<T> call, String what) {
    requireOpen();
    try {
      return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new StoreException(
          Reason.UNAVAILABLE, where + " did not answer " + what + " within " + timeout, e);
    } catch (ExecutionException e) {
      throw new StoreException(
          Reason.UNAVAILABLE,
          where + " refused " + what + ": " + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(
          Reason.UNAVAILABLE, "interrupted while " + where + " served " + what, e);
    }
  }
}
