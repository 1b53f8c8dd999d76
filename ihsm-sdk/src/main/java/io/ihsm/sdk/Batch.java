package io.ihsm.sdk;

import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.key.Encrypted;
import io.ihsm.ddi.key.KeyInfo;
import io.ihsm.ddi.key.Operation;
import io.ihsm.ddi.key.Verified;
import io.ihsm.ddi.message.BatchRequest;
import io.ihsm.ddi.message.Body;
import io.ihsm.ddi.message.BodyDecoder;
import io.ihsm.ddi.message.Bytes;
import io.ihsm.ddi.message.Empty;
import io.ihsm.ddi.message.Id;
import io.ihsm.sdk.internal.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Many operations of one session sent to the device as one request (DDI {@code BATCH}), each with a
 * result of its own, as if sent alone: one refused operation does not stop the others. Add them,
 * {@link #run()} once, then read each {@link Item}. At most {@value #MAX_OPERATIONS} operations,
 * and no more than one frame's answers hold (about 250 KiB of data in all): a larger batch is
 * refused before anything runs. Not for use by several threads at once.
 *
 * <pre>{@code
 * Batch batch = session.batch();
 * List<Batch.Item<Encrypted>> sealed = new ArrayList<>();
 * for (byte[] record : records) {
 *   sealed.add(batch.encrypt(Operation.of(key, Algorithm.AES_GCM, record)));
 * }
 * batch.run();
 * for (Batch.Item<Encrypted> e : sealed) { store(e.get()); }  // get() throws that one's refusal
 * }</pre>
 */
public final class Batch {
  public static final int MAX_OPERATIONS = BatchRequest.MAX_ITEMS;

  private final Channel channel;
  private final int sessionId;
  private final List<Item<?>> items = new ArrayList<>();
  private boolean ran;

  Batch(Channel channel, int sessionId) {
    this.channel = channel;
    this.sessionId = sessionId;
  }

  /** One operation's result, there once the batch has run. */
  public static final class Item<T> {
    private final Opcode op;
    private final Body request;
    private final BodyDecoder<T> decoder;
    private boolean done;
    private T value;
    private IhsmException failure;

    private Item(Opcode op, Body request, BodyDecoder<T> decoder) {
      this.op = op;
      this.request = request;
      this.decoder = decoder;
    }

    /**
     * The result.
     *
     * @throws IhsmException the device's refusal of this operation
     * @throws IllegalStateException before the batch has run
     */
    public T get() {
      if (!done) {
        throw new IllegalStateException("the batch has not run");
      }
      if (failure != null) {
        throw new IhsmException(failure.status(), failure.getMessage(), failure);
      }
      return value;
    }

    /** Why the device refused this operation; empty when it succeeded. */
    public Optional<IhsmException> failure() {
      if (!done) {
        throw new IllegalStateException("the batch has not run");
      }
      return Optional.ofNullable(failure);
    }

    private void complete(Frames.Response response) {
      try {
        value = Channel.answer(op, response, decoder);
      } catch (IhsmException e) {
        failure = e;
      }
      done = true;
    }
  }

  public Item<byte[]> sign(Operation op) {
    return add(Opcode.SIGN, op, r -> Bytes.read(r).bytes());
  }

  public Item<Boolean> verify(Operation op) {
    return add(Opcode.VERIFY, op, r -> Verified.read(r).valid());
  }

  public Item<Encrypted> encrypt(Operation op) {
    return add(Opcode.ENCRYPT, op, Encrypted::read);
  }

  public Item<byte[]> decrypt(Operation op) {
    return add(Opcode.DECRYPT, op, r -> Bytes.read(r).bytes());
  }

  /** Loads a key from its masked blob. */
  public Item<KeyInfo> unmask(byte[] maskedBlob) {
    return add(Opcode.UNMASK_KEY, new Bytes(maskedBlob), KeyInfo::read);
  }

  public Item<Empty> unload(int handle) {
    return add(Opcode.UNLOAD_KEY, new Id(handle), Empty::read);
  }

  /** How many operations the batch holds. */
  public int size() {
    return items.size();
  }

  private <T> Item<T> add(Opcode op, Body request, BodyDecoder<T> decoder) {
    if (ran) {
      throw new IllegalStateException("the batch has run; start another");
    }
    if (items.size() == MAX_OPERATIONS) {
      throw new IllegalStateException("a batch holds at most " + MAX_OPERATIONS + " operations");
    }
    Item<T> item = new Item<>(op, request, decoder);
    items.add(item);
    return item;
  }

  /**
   * Sends every operation in one request; each item then holds its result or its refusal.
   *
   * @throws IhsmException when the batch as a whole is refused or lost (too large for one frame,
   *     the device not operational, the connection gone); then no item has a result
   * @throws IllegalStateException when it has run already, or holds nothing
   */
  public void run() {
    if (ran) {
      throw new IllegalStateException("the batch has run already");
    }
    if (items.isEmpty()) {
      throw new IllegalStateException("the batch holds no operation");
    }
    List<Channel.BatchCall> calls = new ArrayList<>(items.size());
    for (Item<?> i : items) {
      calls.add(new Channel.BatchCall(i.op, sessionId, i.request));
    }
    List<Frames.Response> answers = channel.batch(calls);
    ran = true;
    for (int i = 0; i < items.size(); i++) {
      items.get(i).complete(answers.get(i));
    }
  }
}
